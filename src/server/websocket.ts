import crypto from "node:crypto";
import type http from "node:http";
import type { Duplex } from "node:stream";
import {
  createSourceEventStream,
  DocumentNode,
  execute,
  ExecutionArgs,
  FormattedExecutionResult,
  getOperationAST,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLSchema,
  parse,
  validate,
} from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocket, WebSocketServer } from "ws";
import type { RequestContext } from "../auth/context";
import type { Config } from "../config";
import { readFromPrimary } from "../db/replicas";
import { RequestScope, requestScope } from "../db/sql-stats";
import { apiError } from "../graphql/errors";
import { mapStream } from "../graphql/streams";
import { nulCharacterError, variablesError } from "./input-guard";
import { documentShapeError, enforceCost } from "./limits";
import type { AppLogger } from "./logger";

/** graphql-ws close codes: 4401 as the protocol's own Unauthorized, 1013 "try again later" (the client's default retries it), 1001 going away. */
const UNAUTHORIZED = 4401;
const TRY_AGAIN_LATER = 1013;
const GOING_AWAY = 1001;

export interface SubscriptionServerDeps {
  schema: GraphQLSchema;
  config: Pick<Config, "limits" | "subscriptions" | "bodyLimitBytes">;
  /** The HTTP layer's context builder: the same token verification, the same context. */
  contextFor(authorization?: string, scope?: RequestScope, origin?: string, address?: string): Promise<RequestContext>;
  /** The HTTP layer's error formatting (masking, codes). */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  log: AppLogger;
}

export interface SubscriptionServer {
  /** Open WebSocket connections. */
  readonly connections: number;
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
 * payload (else it is closed with 4401); each operation is checked as an HTTP
 * request is (document limits, variables, cost) and must be a subscription.
 * Each event then runs as a request of its own: the context is built again
 * (the token checked again, empty loaders, reads from the primary), so the
 * objects sent are read as they are when the event is sent, for the roles
 * the caller holds then.
 */
export function serveSubscriptions(server: http.Server, deps: SubscriptionServerDeps): SubscriptionServer {
  const { schema, config, contextFor, formatError, log } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.bodyLimitBytes });
  /** An operation's context → how to build the context of one of its events. */
  const renewals = new WeakMap<RequestContext, (scope: RequestScope) => Promise<RequestContext>>();

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
            if (!context.viewer) refusal = { code: UNAUTHORIZED, reason: "UNAUTHENTICATED: the authorization holds no bearer token" };
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
        const tooComplex = documentShapeError(payload.query, config.limits, null);
        if (tooComplex) return [tooComplex];
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [new GraphQLError(error instanceof Error ? error.message : "The document does not parse.", { extensions: { code: "GRAPHQL_PARSE_FAILED" } })];
        }
        const invalid = validate(schema, document);
        if (invalid.length > 0) return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [apiError("BAD_REQUEST", "Name the operation to run (operationName).")];
        if (operation.operation !== "subscription") return [apiError("BAD_REQUEST", "Only subscriptions are served over WebSocket; send queries and mutations over HTTP.")];
        const variables = payload.variables ?? {};
        const refused = variablesError(schema, operation, variables) ?? nulCharacterError(document, variables);
        if (refused) return [refused];
        try {
          enforceCost(schema, document, operation, variables, config.limits);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        renewals.set(contextValue, (scope) => contextFor(authorization, scope, origin, address));
        return { schema, document, operationName: payload.operationName, variableValues: variables, contextValue };
      },

      // graphql-js's subscribe, but each event executes with a context of its own
      subscribe: async (args: ExecutionArgs) => {
        const source = await createSourceEventStream(args);
        if (!(Symbol.asyncIterator in source)) return source; // refused: FORBIDDEN, a bad argument
        const renew = renewals.get(args.contextValue as RequestContext);
        if (!renew) throw new Error("a subscription that onSubscribe did not prepare");
        return mapStream(source[Symbol.asyncIterator](), (event) => {
          const scope = newScope();
          return requestScope.run(scope, async () => {
            readFromPrimary(); // the change just committed on the primary; a replica may not have it yet
            return execute({ ...args, rootValue: event, contextValue: await renew(scope) });
          });
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
