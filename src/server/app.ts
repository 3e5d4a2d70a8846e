import crypto from "node:crypto";
import http from "node:http";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginUsageReportingDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServer, ApolloServerPlugin } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import express, { NextFunction, Request, Response } from "express";
import { DocumentNode, GraphQLError, GraphQLFormattedError, GraphQLSchema } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { DataSource } from "typeorm";
import { RequestContext } from "../auth/context";
import { InvalidTokenError, partnerUserLookup, TokenService, USER_CACHE } from "../auth/tokens";
import type { Config } from "../config";
import { readFromPrimary, replicaRouting } from "../db/replicas";
import { requestScope, RequestScope, StatementSpans } from "../db/sql-stats";
import { apiError, ApiErrorCode } from "../graphql/errors";
import { LoaderRegistry } from "../graphql/loaders";
import { ReadPlanner } from "../graphql/planner/planner";
import { planSpecs } from "../graphql/planner/schema";
import type { Services } from "../services";
import { authenticatedDocumentStore, ByteLru } from "./caches";
import { Admission } from "./admission";
import { actualCost, TooComplex } from "./limits";
import type { AppLogger } from "./logger";
import { DrainableServer } from "./drain";
import { EventFeed, primaryUrlOf } from "./event-feed";
import { AnsweredResult, AnswerHead, fastLane } from "./fast-lane";
import { CompiledQueryCache, jitGateway } from "./jit";
import { Metrics } from "./metrics";
import { observabilityPlugin, observeRequests, requestLog } from "./observability";
import { Lease, PartnerConcurrency } from "./partner-concurrency";
import { PersistedOperations } from "./persisted-operations";
import { mountPlayground, playgroundLandingPage, playgroundOptions } from "./playground";
import type { CostBudget } from "./rate-limit";
import type { SharedState } from "./shared-state";
import { startTracing, Tracing } from "./tracing";
import { serveSubscriptions, SubscriptionServer } from "./websocket";

export interface AppDeps {
  config: Config;
  schema: GraphQLSchema;
  dataSource: DataSource;
  services: Services;
  tokens: TokenService;
  log: AppLogger;
  /** Rate budgets and cache invalidations (Redis or this process); `stop()` closes it. */
  shared: SharedState;
}

/** Codes our own code raises on purpose, plus Apollo's request-level ones: shown as they are. */
const PASS_THROUGH_CODES = new Set([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "QUERY_TOO_COMPLEX",
  "THROTTLED",
  "SERVICE_UNAVAILABLE",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_ONLY",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);


/** pg and network errors meaning the database cannot be reached right now. */
function databaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string; driverError?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  if (e.driverError && databaseUnavailable(e.driverError)) return true;
  const code = e.code ?? "";
  if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "53300", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08006"].includes(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|is not currently accepting connections/i.test(e.message ?? "");
}

/** PostgreSQL cancelled the statement at statement_timeout (lock waits count toward it). */
function statementTimedOut(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | null;
  return !!e && typeof e === "object" && (e.code === "57014" || e.driverError?.code === "57014");
}

/** The anonymous request budget's key: the caller's socket address. */
const anonymousKey = (address: string | undefined) => address ?? "unknown";

/** Operations without a token (invitation acceptance) share one lane, as if one partner. */
const ANONYMOUS_LANE = "anonymous";

function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s*(.*)$/i.exec(header.trim());
  if (!match) return "\0malformed";
  return match[1]!.trim() || null;
}

function jsonError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

export interface App {
  app: express.Express;
  apollo: ApolloServer<RequestContext>;
  budget: CostBudget;
  metrics: Metrics;
  /** OpenTelemetry traces (null without an OTLP endpoint: nothing of the SDK loaded). */
  tracing: Tracing | null;
  concurrency: PartnerConcurrency;
  /** The read planner (null when READ_PLANNER=off): its plan cache statistics. */
  planner: ReadPlanner | null;
  /** Parsed documents and document shapes, bounded in bytes, kept for authenticated callers only. */
  documentCaches: { parsed: ByteLru<DocumentNode>; shapes: ByteLru<TooComplex | null> };
  /** Compiled queries (null with GRAPHQL_JIT=off). */
  jitCache: CompiledQueryCache | null;
  /** Operations the fast lane answered (null with GRAPHQL_JIT=off or FAST_LANE=off). */
  fastLane: { served: number } | null;
  /** The outbox listener that subscriptions stream from (started by the first one). */
  eventFeed: EventFeed;
  /** Builds a request context as the HTTP layer does (for executeOperation in tests). */
  contextFor(authorization?: string, scope?: RequestScope, origin?: string, address?: string): Promise<RequestContext>;
  listen(port: number, host: string): Promise<http.Server>;
  /** /readyz turns 503, the HTTP server drains (config.shutdownDrainMs at most) and closes, then Apollo stops. */
  stop(): Promise<void>;
}

export async function createApp(deps: AppDeps): Promise<App> {
  const { config, schema, dataSource, services, tokens, log } = deps;
  const development = config.env === "development";
  const budget = deps.shared.budget("cost", config.rateLimit.capacity, config.rateLimit.refillPerSecond);
  const anonymousBudget = deps.shared.budget("anonymous", config.rateLimit.anonymousPerMinute, config.rateLimit.anonymousPerMinute / 60);
  const concurrency = new PartnerConcurrency(config.partnerConcurrency);
  const metrics = new Metrics(dataSource, concurrency, { maxOperationNames: config.metricsMaxOperationNames });
  const tracing = await startTracing(config, log);
  // TypeORM's statements get spans through its query events; the planner's call traceStatement itself
  const statementSpans = tracing ? new StatementSpans() : null;
  if (statementSpans) dataSource.subscribers.push(statementSpans);

  const planner = config.readPlanner.enabled ? new ReadPlanner(dataSource, planSpecs(), config.readPlanner.planCacheEntries, config.readPlanner.preparedPerConnection) : null;
  const lookupUser = partnerUserLookup(dataSource);
  const eventFeed = new EventFeed({ events: services.events, url: primaryUrlOf(dataSource), log, bufferEvents: config.subscriptions.bufferEvents });
  // a role change drops the verified tokens' user checks of that user, here and (through Redis) on every other instance
  deps.shared.caches.register(USER_CACHE, { delete: (userId) => tokens.forgetUser(userId), clear: () => tokens.forgetAll() });
  const contextFor = async (authorization?: string, scope?: RequestScope, origin?: string, address?: string): Promise<RequestContext> => {
    const requestId = scope?.requestId ?? crypto.randomUUID();
    const token = bearerToken(authorization);
    let viewer = null;
    if (token !== null) {
      try {
        viewer = await tokens.verify(token, lookupUser);
      } catch (error) {
        if (error instanceof InvalidTokenError) throw apiError("UNAUTHENTICATED", `The bearer token is not valid: ${error.message}.`);
        // only the user lookup throws anything else: the token may be fine, so never 401 (nor 500)
        requestLog(log).warn({ err: error }, "token user lookup failed");
        throw apiError("SERVICE_UNAVAILABLE", "The database is unavailable; retry shortly.");
      }
    }
    if (scope) scope.authenticated = viewer !== null;
    return { requestId, viewer, loaders: new LoaderRegistry(), services, dataSource, config, sql: scope?.sql ?? { statements: 0 }, planner, origin, address, eventFeed };
  };
  // before a token is verified nothing is known of the caller: it gets the tight limits
  const limitsFor = (context: RequestContext) => (context.viewer ? config.limits : config.anonymousLimits);
  const documentCaches = { parsed: new ByteLru<DocumentNode>(config.cacheBytes.documents), shapes: new ByteLru<TooComplex | null>(config.cacheBytes.shapes) };
  const persisted = config.persistedOperations.mode === "off" ? null : PersistedOperations.load(config.persistedOperations.mode, config.persistedOperations.manifests, schema);
  if (persisted) {
    log.info({ mode: persisted.registry.mode, operations: persisted.registry.size }, "persisted operations");
    if (persisted.stale.length > 0) log.warn({ stale: persisted.stale }, "registered operations the schema no longer validates");
  }
  // the checks every operation passes, over HTTP (below) and over WebSocket (websocket.ts) alike
  const admission = new Admission({ schema, limitsFor, shapes: documentCaches.shapes, persisted: persisted?.registry ?? null, budget, development });

  /**
   * What every answered operation gets, whether Apollo ran it or the fast lane: the refund of the cost it did not
   * use, its cost extension, Retry-After on THROTTLED, 500/503 by error code, the statements header, the count.
   */
  const settle = async (context: RequestContext, result: AnsweredResult, requested: number, http: AnswerHead): Promise<void> => {
    const partnerId = context.viewer?.partnerId;
    const codes = new Set((result.errors ?? []).map((e) => e.extensions?.code));
    if (codes.has("THROTTLED")) {
      const retryAfter = (result.errors ?? []).find((e) => e.extensions?.code === "THROTTLED")?.extensions?.retryAfter;
      http.setHeader("retry-after", String(retryAfter ?? 1));
    }
    if (result.data !== undefined) {
      const actual = actualCost(result.data);
      if (partnerId) await budget.refund(partnerId, requested - actual);
      // without a token: the anonymous limit, and what is left of the caller address's request budget
      const remaining = partnerId ? await budget.remaining(partnerId) : await anonymousBudget.remaining(anonymousKey(context.address));
      result.extensions = { ...result.extensions, cost: { requested, actual, limit: limitsFor(context).cost, remaining } };
    }
    if (codes.has("INTERNAL_SERVER_ERROR")) http.setStatus(500);
    else if (codes.has("SERVICE_UNAVAILABLE")) http.setStatus(503);
    // STATEMENT_TIMEOUT stays 200 like FORBIDDEN: the query's size caused it, not the server's state
    if (config.sqlStatementsHeader) http.setHeader("x-sql-statements", String(context.sql.statements));
    metrics.countOperation(result.errors?.length ? "error" : "ok");
  };

  const requestPlugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      let requested = 0;
      let lease: Lease | null = null;
      return {
        async didResolveOperation({ contextValue, operation, document, request }) {
          if (!operation) return;
          if (operation.operation === "subscription") throw apiError("BAD_REQUEST", "Subscription operations are not served over HTTP; subscribe over WebSocket (graphql-ws) on /graphql.");
          // the payload read after commit must see the write: no replica for any read of a mutation
          if (operation.operation === "mutation") readFromPrimary();
          // anonymous coordinates, variables and NUL guards, cost, the partner's budget
          requested = await admission.operation(contextValue, document!, operation, request.variables ?? {});
          const partnerId = contextValue.viewer?.partnerId;
          // last, once admitted: waits behind this partner's own operations only, never another partner's
          lease = concurrency.acquire(partnerId ?? ANONYMOUS_LANE);
          await lease.granted.catch(async (refusal: unknown) => {
            await admission.refund(contextValue, requested); // refused before it ran: it costs nothing
            throw refusal;
          });
        },
        async willSendResponse({ response, contextValue }) {
          lease?.release(); // first, on every path (errors too): the awaits below need no database slot
          if (response.body.kind !== "single") return;
          const head: AnswerHead = { setHeader: (name, value) => response.http.headers.set(name, value), setStatus: (status) => (response.http.status = status) };
          await settle(contextValue, response.body.singleResult, requested, head);
        },
      };
    },
  };

  const formatError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code as string | undefined;
    const requestId = requestScope.getStore()?.requestId;
    if (original instanceof GraphQLError && code && PASS_THROUGH_CODES.has(code)) {
      const { http: _http, stacktrace, ...extensions } = formatted.extensions ?? {};
      const message = development ? formatted.message : formatted.message.replace(/ Did you mean .*$/, "");
      return { ...formatted, message, extensions: { ...extensions, ...(development && stacktrace ? { stacktrace } : {}) } };
    }
    // Apollo's own request errors without a code (e.g. a persisted query whose hash does not match) carry a 4xx status
    const status = (original instanceof GraphQLError ? (original.extensions?.http as { status?: number } | undefined)?.status : undefined) ?? 0;
    if (original instanceof GraphQLError && !original.extensions?.code && status >= 400 && status < 500) {
      return { message: original.message, extensions: { code: "BAD_REQUEST" satisfies ApiErrorCode } };
    }
    if (statementTimedOut(original)) {
      requestLog(log).warn({ path: formatted.path }, "statement timeout");
      const message = `The query ran longer than the ${config.statementTimeoutMs} ms a database statement may take and was cancelled (a mutation changed nothing); narrow the filter or ask for a smaller page.`;
      return { message, path: formatted.path, extensions: { code: "STATEMENT_TIMEOUT" satisfies ApiErrorCode, timeoutMs: config.statementTimeoutMs, requestId } };
    }
    if (databaseUnavailable(original)) {
      requestLog(log).warn({ err: original }, "database unavailable");
      return { message: "The database is unavailable; retry shortly.", path: formatted.path, extensions: { code: "SERVICE_UNAVAILABLE", requestId } };
    }
    requestLog(log).error({ err: original, path: formatted.path }, "unexpected error");
    return {
      message: development && original instanceof Error ? original.message : "Internal server error.",
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: "INTERNAL_SERVER_ERROR", requestId },
    };
  };

  const playground = playgroundOptions(config, tokens);
  const jit = config.jit.enabled ? jitGateway(schema, { maxBytes: config.jit.cacheBytes, maxSourceBytes: config.jit.maxSourceBytes }) : null;
  const apollo = new ApolloServer<RequestContext>({
    ...(jit ? { gateway: jit.gateway } : { schema }),
    introspection: true,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    stopOnTerminationSignals: false, // main.ts stops the server and then the database, in that order
    includeStacktraceInErrorResponses: development,
    formatError,
    documentStore: authenticatedDocumentStore(documentCaches.parsed),
    // PERSISTED_OPERATIONS=only: no document may register itself through Apollo's APQ cache
    ...(persisted?.registry.mode === "only" ? { persistedQueries: false as const } : {}),
    // no cache-control hints are used; without this plugin Apollo instruments every field resolver
    // never usage reporting to Apollo's service, whatever APOLLO_KEY the environment holds
    plugins: [playgroundLandingPage(playground), requestPlugin, observabilityPlugin(metrics), ApolloServerPluginCacheControlDisabled(), ApolloServerPluginUsageReportingDisabled()],
  });
  await apollo.start();

  const app = express();
  app.disable("x-powered-by");
  // no HTTP ETag: GraphQL answers are POSTs, and hashing every body (tens of KB for a page) costs each request
  app.set("etag", false);
  app.set("trust proxy", false);
  // request id (the caller's x-request-id when valid), its child logger, its span, the access log and HTTP metrics
  app.use(observeRequests({ log, metrics, tracing }));

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  let shuttingDown = false;
  app.get("/readyz", async (_req, res) => {
    if (shuttingDown) {
      res.status(503).json({ status: "shutting down" });
      return;
    }
    try {
      await dataSource.query("SELECT 1");
      const pending = await dataSource.showMigrations();
      if (pending) res.status(503).json({ status: "migrations pending" });
      else res.json({ status: "ready", replicas: replicaRouting(dataSource)?.health() });
    } catch {
      res.status(503).json({ status: "database unreachable" });
    }
  });
  if (config.metricsEnabled) {
    app.get("/metrics", async (_req, res) => {
      res.type("text/plain; version=0.0.4").send(await metrics.render());
    });
  }
  mountPlayground(app, playground);

  const lane = jit && config.jit.fastLane ? fastLane({ compiled: jit.cache, run: jit.run, admission, concurrency, metrics, formatError, includeStacktrace: development, settle }) : null;
  const authenticatedBody = express.json({ limit: config.bodyLimitBytes });
  const anonymousBody = express.json({ limit: config.anonymousLimits.bodyBytes });

  app.use(
    "/graphql",
    // without a token there is no partner to charge: each address gets a request budget, checked before any parsing
    async (req: Request, res: Response, next: NextFunction) => {
      // an empty `Authorization` (or `Bearer ` alone) is a call without a token too
      if (bearerToken(req.header("authorization")) !== null) return next();
      const taken = await anonymousBudget.take(anonymousKey(req.socket.remoteAddress), 1);
      if (taken.ok) return next();
      res.setHeader("retry-after", String(taken.retryAfterSeconds));
      jsonError(res, 429, "THROTTLED", `Too many requests without a bearer token from this address; retry in ${taken.retryAfterSeconds} s.`);
    },
    // the caller is known before the body is read: its limits (and whether caches keep its documents) depend on it
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        res.locals.context = await contextFor(req.header("authorization"), requestScope.getStore(), `${req.protocol}://${req.get("host")}`, req.socket.remoteAddress);
      } catch (error) {
        if (!(error instanceof GraphQLError)) return next(error);
        const { http, ...extensions } = error.extensions as { http?: { status?: number } };
        res.status(http?.status ?? 500).json({ errors: [{ message: error.message, extensions }] });
        return;
      }
      next();
    },
    (req: Request, res: Response, next: NextFunction) => (res.locals.context.viewer ? authenticatedBody : anonymousBody)(req, res, next),
    (error: Error & { type?: string; status?: number; limit?: number }, _req: Request, res: Response, next: NextFunction) => {
      if (error.type === "entity.too.large") return jsonError(res, 413, "BAD_REQUEST", `The request body exceeds ${error.limit ?? config.bodyLimitBytes} bytes.`);
      if (error.type === "entity.parse.failed") return jsonError(res, 400, "BAD_REQUEST", "The request body is not valid JSON.");
      if (error.status && error.status < 500) return jsonError(res, error.status, "BAD_REQUEST", error.message);
      next(error);
    },
    ...(persisted ? [persisted.registry.middleware()] : []),
    (req: Request, res: Response, next: NextFunction) => {
      if (Array.isArray(req.body)) return jsonError(res, 400, "BAD_REQUEST", "Batched requests (a JSON array) are not supported; send one operation per request.");
      const query = req.method === "GET" ? req.query.query : (req.body as { query?: unknown } | undefined)?.query;
      const context = res.locals.context as RequestContext;
      const tooComplex = typeof query === "string" ? admission.shape(query, context) : null;
      if (tooComplex) {
        const { http: _http, ...extensions } = tooComplex.extensions;
        res.status(400).json({ errors: [{ message: tooComplex.message, extensions }] });
        return;
      }
      next();
    },
    // a query compiled already is answered without Apollo's pipeline, through the same admission, lane and settle
    ...(lane ? [lane.middleware] : []),
    expressMiddleware(apollo, {
      context: async ({ res }) => res.locals.context as RequestContext,
    }),
  );
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    const requestId = requestScope.getStore()?.requestId;
    requestLog(log).error({ err: error }, "unhandled HTTP error");
    res.status(500).json({ errors: [{ message: "Internal server error.", extensions: { code: "INTERNAL_SERVER_ERROR", requestId } }] });
  });

  let server: DrainableServer | null = null;
  let subscriptions: SubscriptionServer | null = null;
  return {
    app,
    apollo,
    budget,
    metrics,
    tracing,
    concurrency,
    planner,
    documentCaches,
    jitCache: jit?.cache ?? null,
    fastLane: lane?.stats ?? null,
    eventFeed,
    contextFor,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const s = http.createServer(app);
        const drainable = new DrainableServer(s);
        s.keepAliveTimeout = 65_000;
        s.once("error", reject);
        s.listen(port, host, () => {
          server = drainable;
          subscriptions = serveSubscriptions(s, { schema, config, contextFor, formatError, log, admission, concurrency });
          resolve(s);
        });
      });
    },
    async stop() {
      shuttingDown = true;
      log.info("shutting down: /readyz answers 503");
      // subscriptions never finish by themselves: their clients are told to reconnect (to another instance) first
      if (subscriptions) {
        const ws = subscriptions;
        subscriptions = null;
        await ws.close(Math.min(config.shutdownDrainMs, 2_000));
      }
      await eventFeed.close();
      if (server) {
        const s = server;
        server = null;
        await s.close(config.shutdownDrainMs, log);
      }
      // after the HTTP drain: no operation is running any more
      await apollo.stop();
      log.info("Apollo stopped");
      metrics.stop();
      if (statementSpans) dataSource.subscribers.splice(dataSource.subscribers.indexOf(statementSpans), 1);
      await tracing?.shutdown(); // the spans still buffered are sent first
      await deps.shared.close();
    },
  };
}
