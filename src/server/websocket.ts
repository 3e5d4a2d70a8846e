import crypto from "node:crypto";
import type http from "node:http";
import type { Duplex } from "node:stream";
import { createSourceEventStream, execute, ExecutionArgs, ExecutionResult, FormattedExecutionResult, GraphQLError, GraphQLFormattedError, GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocket, WebSocketServer } from "ws";
import type { RequestContext } from "../auth/context";
import type { Config } from "../config";
import { readFromPrimary } from "../db/replicas";
import { RequestScope, requestScope } from "../db/sql-stats";
import { apiError } from "../graphql/errors";
import { mapStream } from "../graphql/streams";
import type { Admission } from "./admission";
import type { AppLogger } from "./logger";
import type { Lease, PartnerConcurrency } from "./partner-concurrency";

/** graphql-ws close codes: 4401 as the protocol's own Unauthorized, 1013 "try again later" (the client's default retries it), 1001 going away. */
const UNAUTHORIZED = 4401;
const TRY_AGAIN_LATER = 1013;
const GOING_AWAY = 1001;
/**
 * Over the per-partner connection cap. graphql-ws names 4429 "too many initialisation requests"
 * and its client gives up on it rather than reconnect in a loop; the reason says THROTTLED.
 */
const TOO_MANY_CONNECTIONS = 4429;

export interface SubscriptionServerDeps {
  schema: GraphQLSchema;
  config: Pick<Config, "subscriptions" | "bodyLimitBytes">;
  /** The HTTP layer's context builder: the same token verification, the same context. */
  contextFor(authorization?: string, scope?: RequestScope, origin?: string, address?: string): Promise<RequestContext>;
  /** The HTTP layer's error formatting (masking, codes). */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  log: AppLogger;
  /** The HTTP layer's admission (src/server/admission.ts): persisted operations, limits, guards, cost, the partner's cost budget. */
  admission: Admission;
  /** The HTTP layer's per-partner lanes: starting a subscription and running each of its events hold a slot, as an HTTP operation does. */
  concurrency: PartnerConcurrency;
}

export interface SubscriptionServer {
  /** Open WebSocket connections. */
  readonly connections: number;
  /** Open (acknowledged) WebSocket connections of one partner on this instance. */
  connectionsOf(partnerId: string): number;
  /** Refuses new connections, closes the open ones (1001; clients reconnect elsewhere), ending their subscriptions; sockets that do not close within `graceMs` are cut. */
  close(graceMs: number): Promise<void>;
}

/** The bearer token of a connection_init payload, `{ "authorization": "Bearer <JWT>" }` (the key in any case: GraphiQL sends its headers as they are). */
function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  for (const [key, value] of Object.entries(params ?? {})) if (key.toLowerCase() === "authorization" && typeof value === "string") return value;
  return undefined;
}

/** A WebSocket close reason holds at most 123 bytes. */
function closeReason(text: string): string {
  return Buffer.byteLength(text) <= 123 ? text : `${Buffer.from(text).subarray(0, 116).toString().replace(/\uFFFD+$/, "")} (…)`;
}

const codeOf = (error: unknown) => (error instanceof GraphQLError ? (error.extensions.code as string | undefined) : undefined);

const newScope = (): RequestScope => ({ requestId: crypto.randomUUID(), sql: { statements: 0 } });

/**
 * GraphQL subscriptions over WebSocket (graphql-ws) on /graphql of the HTTP
 * server. A connection needs a valid bearer token in its connection_init
 * payload (else it is closed with 4401), and a partner holds at most
 * SUBSCRIPTION_CONNECTIONS_PER_PARTNER of them on this instance (else 4429).
 * Each operation passes the admission an HTTP request passes (persisted
 * operations, document limits, variables, cost, the partner's cost budget)
 * and must be a subscription; starting it and running each event take a slot
 * of the partner's lane (PARTNER_CONCURRENCY), as an HTTP operation does.
 * Each event then runs as a request of its own: the context is built again
 * (the token checked again, empty loaders, reads from the primary), so the
 * objects sent are read as they are when the event is sent, for the roles
 * the caller holds then.
 */
export function serveSubscriptions(server: http.Server, deps: SubscriptionServerDeps): SubscriptionServer {
  const { schema, config, contextFor, formatError, log, admission, concurrency } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.bodyLimitBytes });
  /** An operation's context → how to build the context of one of its events, and the cost its admission took. */
  const renewals = new WeakMap<RequestContext, { renew: (scope: RequestScope) => Promise<RequestContext>; requested: number }>();
  /** Acknowledged connections per partner (this instance only: nothing shared holds them). */
  const perPartner = new Map<string, number>();
  const cap = config.subscriptions.connectionsPerPartner;

  /** A slot of the partner's lane (PARTNER_CONCURRENCY, shared with its HTTP operations), or the THROTTLED refusal. */
  const slot = async (lane: string): Promise<Lease | GraphQLError> => {
    const lease = concurrency.acquire(lane);
    try {
      await lease.granted;
      return lease;
    } catch (refusal) {
      if (refusal instanceof GraphQLError) return refusal;
      throw refusal;
    }
  };

  const formatted = (errors: readonly GraphQLError[]) => errors.map((error) => formatError(error.toJSON(), error));

  useServer<Record<string, unknown>>(
    {
      onConnect: async ({ connectionParams, extra }) => {
        const authorization = authorizationOf(connectionParams);
        let refusal: { code: number; reason: string } | null = null;
        if (!authorization) {
          refusal = { code: UNAUTHORIZED, reason: 'UNAUTHENTICATED: send { "authorization": "Bearer <JWT>" } in connection_init' };
        } else {
          try {
            const context = await contextFor(authorization, newScope());
            const partnerId = context.viewer?.partnerId;
            if (!context.viewer) refusal = { code: UNAUTHORIZED, reason: "UNAUTHENTICATED: the authorization holds no bearer token" };
            else if (extra.socket.readyState !== WebSocket.OPEN) return false; // gone while the token was checked: nothing to count
            else if (partnerId && (perPartner.get(partnerId) ?? 0) >= cap) {
              refusal = { code: TOO_MANY_CONNECTIONS, reason: `THROTTLED: your partner has ${cap} WebSocket connections open on this server; close one, or subscribe more on one` };
            } else if (partnerId) {
              // counted in the same tick as the check: concurrent connection_init messages cannot both pass it
              perPartner.set(partnerId, (perPartner.get(partnerId) ?? 0) + 1);
              extra.socket.once("close", () => {
                const left = (perPartner.get(partnerId) ?? 1) - 1;
                if (left > 0) perPartner.set(partnerId, left);
                else perPartner.delete(partnerId);
              });
            }
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            refusal = codeOf(error) === "UNAUTHENTICATED" ? { code: UNAUTHORIZED, reason: `UNAUTHENTICATED: ${message}` } : { code: TRY_AGAIN_LATER, reason: "SERVICE_UNAVAILABLE: retry shortly" };
          }
        }
        if (!refusal) return true;
        extra.socket.close(refusal.code, closeReason(refusal.reason));
        return false;
      },

      onSubscribe: async ({ connectionParams, extra, subscriptions }, _id, payload) => {
        if (Object.keys(subscriptions).length > config.subscriptions.perConnection) {
          return [apiError("BAD_REQUEST", `A connection holds at most ${config.subscriptions.perConnection} subscriptions; complete one first or open another connection.`)];
        }
        const authorization = authorizationOf(connectionParams);
        const secure = (extra.request.socket as { encrypted?: boolean }).encrypted === true;
        const origin = `${secure ? "https" : "http"}://${extra.request.headers.host ?? "localhost"}`;
        const address = extra.request.socket.remoteAddress;
        let contextValue: RequestContext;
        try {
          contextValue = await contextFor(authorization, newScope(), origin, address);
        } catch (error) {
          return [error instanceof GraphQLError ? error : apiError("SERVICE_UNAVAILABLE", "The database is unavailable; retry shortly.")];
        }
        // the admission of an HTTP request: persisted operations, shape, parse and validate, guards, cost, budget
        const request = { ...payload, documentId: (payload as { documentId?: unknown }).documentId };
        const admitted = await admission.admit(contextValue, request, (operation) =>
          operation.operation === "subscription" ? null : apiError("BAD_REQUEST", "Only subscriptions are served over WebSocket; send queries and mutations over HTTP."),
        );
        if (Array.isArray(admitted)) return admitted;
        const { document, variables, requested } = admitted;
        renewals.set(contextValue, { renew: (scope) => contextFor(authorization, scope, origin, address), requested });
        return { schema, document, operationName: payload.operationName, variableValues: variables, contextValue };
      },

      // graphql-js's subscribe, but each event executes with a context of its own
      subscribe: async (args: ExecutionArgs) => {
        const context = args.contextValue as RequestContext;
        const prepared = renewals.get(context);
        if (!prepared) throw new Error("a subscription that onSubscribe did not prepare");
        const lane = context.viewer?.partnerId ?? "anonymous";
        const started = await slot(lane);
        if (started instanceof GraphQLError) {
          await admission.refund(context, prepared.requested); // refused before it started: it costs nothing, as over HTTP
          return { errors: [started] };
        }
        let source: Awaited<ReturnType<typeof createSourceEventStream>>;
        try {
          source = await createSourceEventStream(args);
        } finally {
          started.release();
        }
        if (!(Symbol.asyncIterator in source)) return source; // refused: FORBIDDEN, a bad argument
        return mapStream(source[Symbol.asyncIterator](), async (event): Promise<ExecutionResult> => {
          // an event refused a slot (its partner's lane stayed full for PARTNER_QUEUE_TIMEOUT_MS) is sent as that THROTTLED error
          const lease = await slot(lane);
          if (lease instanceof GraphQLError) return { errors: [lease] };
          const scope = newScope();
          try {
            return await requestScope.run(scope, async () => {
              readFromPrimary(); // the change just committed on the primary; a replica may not have it yet
              return execute({ ...args, rootValue: event, contextValue: await prepared.renew(scope) });
            });
          } finally {
            lease.release();
          }
        });
      },

      onNext: (_ctx, _id, _payload, _args, result): FormattedExecutionResult | void => {
        if (!result.errors) return;
        return { ...(result.data !== undefined ? { data: result.data } : {}), errors: formatted(result.errors), ...(result.extensions ? { extensions: result.extensions } : {}) };
      },
      onError: (_ctx, _id, _payload, errors) => formatted(errors),
    },
    wss,
  );

  let closing = false;
  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? "").split("?")[0];
    if (closing || path !== "/graphql") {
      socket.end(`HTTP/1.1 ${closing ? "503 Service Unavailable" : "404 Not Found"}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
  };
  server.on("upgrade", onUpgrade);

  return {
    get connections() {
      return wss.clients.size;
    },
    connectionsOf(partnerId) {
      return perPartner.get(partnerId) ?? 0;
    },
    async close(graceMs) {
      closing = true;
      const open = [...wss.clients];
      const closed = Promise.all(open.map((ws) => (ws.readyState === WebSocket.CLOSED ? null : new Promise((resolve) => ws.once("close", resolve)))));
      for (const ws of open) ws.close(GOING_AWAY, "server shutting down");
      let timer: NodeJS.Timeout | undefined;
      const cut = await Promise.race([closed.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)))]);
      clearTimeout(timer);
      if (cut) for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.off("upgrade", onUpgrade);
      log.info({ connections: open.length, cut }, "WebSocket connections closed");
    },
  };
}
