import fs from "node:fs";
import path from "node:path";

/** Every environment variable the server reads, parsed once and typed. */
export interface Config {
  env: "development" | "production" | "test";
  host: string;
  port: number;
  publicBaseUrl: string | undefined;
  /** Key that invitation tokens are derived from (only their hashes are stored); a file in the data folder when unset. */
  invitationSecret: string | undefined;
  databaseUrl: string | undefined;
  databaseReplicaUrls: string[];
  /** How often each replica's reachability and lag are checked. */
  databaseReplicaCheckMs: number;
  /** A replica further behind the primary than this is skipped until it catches up. */
  databaseReplicaMaxLagMs: number;
  dataDir: string;
  logLevel: string;
  /** LOG_FORMAT: `pretty` (pino-pretty) or `json`; unset: pretty in development when the log goes to stdout, JSON otherwise. */
  logFormat: "json" | "pretty" | undefined;
  jwt: {
    secret: string | undefined;
    publicKey: string | undefined;
    jwksUrl: string | undefined;
    issuer: string;
    audience: string;
    /** Longest accepted `exp - iat`: a token signed for longer is refused. */
    maxLifetimeSeconds: number;
    /** Clock difference tolerated between the issuer and this server for `iat`, `nbf` and `exp`. */
    clockSkewSeconds: number;
  };
  metricsEnabled: boolean;
  /** Distinct operation names /metrics keeps as label values (METRICS_MAX_OPERATION_NAMES); names seen after them count as "other". */
  metricsMaxOperationNames: number;
  /** OpenTelemetry traces over OTLP/HTTP (JSON): the traces URL, undefined when no endpoint is configured (tracing off, no SDK loaded). */
  tracing: { tracesUrl: string | undefined; serviceName: string };
  limits: QueryLimits;
  bodyLimitBytes: number;
  /** Much tighter limits for requests without a bearer token: the invitation acceptance (and introspection in development) fits them. */
  anonymousLimits: QueryLimits & { bodyBytes: number };
  /** Byte bounds of the parsed-document cache and the document-shape cache (both filled for authenticated callers only). */
  cacheBytes: { documents: number; shapes: number };
  poolSize: number;
  /** Longest one SQL statement of the API may run (PostgreSQL statement_timeout; 0 = none); migrations and the seed are exempt. */
  statementTimeoutMs: number;
  /** Longest a request waits for a pool connection before it is answered 503. */
  connectionTimeoutMs: number;
  partnerConcurrency: PartnerConcurrencyLimits;
  /** How long SIGTERM/SIGINT wait for requests in flight before closing their connections. */
  shutdownDrainMs: number;
  /** How far V8 lets the heap grow past what a full collection left alive before the next one, in percent (0: V8's own choice). */
  heapGrowingPercent: number;
  /** Cost points per partner (bucket size, refill per second; fractions allowed) and requests per minute per address without a token. */
  rateLimit: { capacity: number; refillPerSecond: number; anonymousPerMinute: number };
  /** Redis holding rate budgets and cache invalidations shared by all instances; per process when unset. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel, so deployments (or test runs) sharing a Redis stay apart. */
  redisKeyPrefix: string;
  /** Bench-only switch: serve without graphql-shield to measure its overhead. */
  disableShield: boolean;
  /** Answer planned read fields (src/graphql/planner) with one prepared statement; off: the loader path only. */
  readPlanner: { enabled: boolean; planCacheEntries: number; preparedPerConnection: { lookup: number; page: number } };
  /** Send `x-sql-statements` (on outside production unless SQL_STATEMENTS_HEADER=off; the bench turns it on). */
  sqlStatementsHeader: boolean;
  /** Query operations of authenticated callers run compiled by graphql-jit (GRAPHQL_JIT=off: graphql-js), from their second execution; compiled queries kept per document in a byte-bounded LRU. */
  jit: { enabled: boolean; cacheBytes: number; maxSourceBytes: number; fastLane: boolean };
  /** GraphQL subscriptions over WebSocket: operations one connection may hold open (SUBSCRIPTIONS_PER_CONNECTION), events a subscriber may fall behind before its subscription is ended (SUBSCRIPTION_BUFFER_EVENTS), and WebSocket connections one partner may hold open on one instance (SUBSCRIPTION_CONNECTIONS_PER_PARTNER). */
  subscriptions: { perConnection: number; bufferEvents: number; connectionsPerPartner: number };
  /** PERSISTED_OPERATIONS (off | allow | only, default off) with PERSISTED_OPERATIONS_MANIFEST files (comma-separated): src/server/persisted-operations.ts. */
  persistedOperations: { mode: "off" | "allow" | "only"; manifests: string[] };
  /** Webhook delivery (src/modules/webhooks): the in-process worker, the key webhook secrets are encrypted with, timing and retry policy. */
  webhooks: WebhookConfig;
}

export interface WebhookConfig {
  /** WEBHOOK_WORKER=off: this instance delivers nothing (run `npm run worker` elsewhere). */
  worker: boolean;
  /** Key (any string; hashed to 256 bits) that webhook secrets are encrypted with at rest; a file in the data folder when unset. */
  secretKey: string | undefined;
  /** A delivery request that has not answered by then failed. */
  timeoutMs: number;
  /** How long a claimed delivery stays with its worker; a worker that dies holding it loses it after this. */
  leaseMs: number;
  /** How often the worker looks for due retries (new events wake it at once through NOTIFY). */
  pollMs: number;
  /** Deliveries one worker sends at once. */
  concurrency: number;
  /** First retry delay; each next one doubles (with jitter) up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A delivery still failing this long after its event gives up (FAILED). */
  retryWindowMs: number;
  /** Consecutive failed attempts after which a webhook is disabled (webhookUpdate enabled: true turns it back on). */
  disableAfterFailures: number;
  /** `webhookTest` events one webhook may get in a minute (each is a POST to the partner's URL). */
  testsPerMinute: number;
}

export interface QueryLimits {
  depth: number;
  aliases: number;
  directives: number;
  tokens: number;
  /** Selections once fragments are expanded (a fan-out of fragments multiplies them). */
  fields: number;
  cost: number;
}

/** Operations per partner and process: executing at once, then waiting in that partner's own queue. */
export interface PartnerConcurrencyLimits {
  limit: number;
  queueLimit: number;
  queueTimeoutMs: number;
}

function positive(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`expected a positive number, got "${value}"`);
  return parsed;
}

/**
 * Strict: development shows internal error messages and serves the playground's sign-in (tokens for any demo
 * user), so a misspelt or unknown value (`prod`, `staging`) must not fall back to it silently.
 */
function environmentOf(value: string | undefined): Config["env"] {
  if (value === undefined || value === "" || value === "development") return "development";
  if (value === "production" || value === "test") return value;
  throw new Error(`NODE_ENV must be development (or unset), test or production, got "${value}"`);
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number.parseInt(value, 10);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`expected a non-negative integer, got "${value}"`);
  return parsed;
}

function persistedOperationsMode(value: string | undefined): Config["persistedOperations"]["mode"] {
  const mode = (value || "off").toLowerCase();
  if (mode === "off" || mode === "allow" || mode === "only") return mode;
  throw new Error(`PERSISTED_OPERATIONS must be off, allow or only, got "${value}"`);
}

function logFormat(value: string | undefined): Config["logFormat"] {
  if (!value) return undefined;
  const format = value.toLowerCase();
  if (format !== "json" && format !== "pretty") throw new Error(`LOG_FORMAT must be "json" or "pretty", got "${value}"`);
  return format;
}

/** The OTLP traces URL as the OpenTelemetry variables define it: the traces endpoint as given, or the base endpoint plus `/v1/traces`. */
function otlpTracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  if ((env.OTEL_SDK_DISABLED || "").toLowerCase() === "true" || (env.OTEL_TRACES_EXPORTER || "").toLowerCase() === "none") return undefined;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces`;
  return undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = environmentOf(env.NODE_ENV);
  const poolSize = int(env.DATABASE_POOL_SIZE, 10);
  return {
    env: nodeEnv,
    host: env.HOST || "127.0.0.1",
    port: int(env.PORT, 4000),
    publicBaseUrl: env.PUBLIC_BASE_URL?.replace(/\/+$/, "") || undefined,
    invitationSecret: env.INVITATION_SECRET || undefined,
    databaseUrl: env.DATABASE_URL || undefined,
    databaseReplicaUrls: (env.DATABASE_REPLICA_URLS || "")
      .split(",")
      .map((url) => url.trim())
      .filter(Boolean),
    databaseReplicaCheckMs: int(env.DATABASE_REPLICA_CHECK_MS, 1000),
    databaseReplicaMaxLagMs: int(env.DATABASE_REPLICA_MAX_LAG_MS, 5000),
    dataDir: path.resolve(env.DATA_DIR || path.join(projectRoot(), ".data")),
    logLevel: env.LOG_LEVEL || (nodeEnv === "test" ? "silent" : "info"),
    logFormat: logFormat(env.LOG_FORMAT),
    jwt: {
      secret: env.JWT_SECRET || undefined,
      publicKey: env.JWT_PUBLIC_KEY || undefined,
      jwksUrl: env.JWT_JWKS_URL || undefined,
      issuer: env.JWT_ISSUER || "partner-accounts-graphql",
      audience: env.JWT_AUDIENCE || "partner-accounts-graphql",
      maxLifetimeSeconds: int(env.TOKEN_MAX_LIFETIME_SECONDS, 24 * 60 * 60),
      clockSkewSeconds: int(env.TOKEN_CLOCK_SKEW_SECONDS, 60),
    },
    metricsEnabled: (env.METRICS || "on").toLowerCase() !== "off",
    metricsMaxOperationNames: int(env.METRICS_MAX_OPERATION_NAMES, 100),
    tracing: { tracesUrl: otlpTracesUrl(env), serviceName: env.OTEL_SERVICE_NAME || "partner-accounts-graphql" },
    limits: {
      depth: int(env.LIMIT_DEPTH, 10),
      aliases: int(env.LIMIT_ALIASES, 30),
      directives: int(env.LIMIT_DIRECTIVES, 50),
      tokens: int(env.LIMIT_TOKENS, 5000),
      fields: int(env.LIMIT_FIELDS, 5000),
      cost: int(env.LIMIT_COST, 50000),
    },
    bodyLimitBytes: int(env.BODY_LIMIT_BYTES, 256 * 1024),
    // the accept mutation is ~40 tokens, depth 3, 12 fields; GraphiQL's introspection query (development) ~200 tokens and selections
    anonymousLimits: {
      bodyBytes: int(env.LIMIT_ANONYMOUS_BODY_BYTES, 8 * 1024),
      depth: int(env.LIMIT_ANONYMOUS_DEPTH, 5),
      aliases: int(env.LIMIT_ANONYMOUS_ALIASES, 5),
      directives: int(env.LIMIT_ANONYMOUS_DIRECTIVES, 5),
      tokens: int(env.LIMIT_ANONYMOUS_TOKENS, 500),
      fields: int(env.LIMIT_ANONYMOUS_FIELDS, 300),
      cost: int(env.LIMIT_ANONYMOUS_COST, 500),
    },
    cacheBytes: { documents: int(env.DOCUMENT_CACHE_BYTES, 16 * 1024 * 1024), shapes: int(env.SHAPE_CACHE_BYTES, 4 * 1024 * 1024) },
    poolSize,
    statementTimeoutMs: int(env.DATABASE_STATEMENT_TIMEOUT_MS, 5000),
    connectionTimeoutMs: int(env.DATABASE_CONNECTION_TIMEOUT_MS, 5000),
    // half the pool by default, so one partner's load always leaves connections for the others
    partnerConcurrency: {
      limit: Math.max(1, int(env.PARTNER_CONCURRENCY, Math.floor(poolSize / 2))),
      queueLimit: int(env.PARTNER_QUEUE_LIMIT, 100),
      queueTimeoutMs: int(env.PARTNER_QUEUE_TIMEOUT_MS, 5000),
    },
    shutdownDrainMs: int(env.SHUTDOWN_DRAIN_MS, 25_000),
    heapGrowingPercent: int(env.HEAP_GROWING_PERCENT, 100),
    rateLimit: {
      capacity: int(env.RATE_LIMIT_CAPACITY, 1_000_000),
      refillPerSecond: positive(env.RATE_LIMIT_REFILL_PER_SECOND, 100_000),
      anonymousPerMinute: positive(env.ANONYMOUS_RATE_LIMIT_PER_MINUTE, 60),
    },
    redisUrl: env.REDIS_URL || undefined,
    redisKeyPrefix: env.REDIS_KEY_PREFIX ?? "pag:",
    disableShield: env.BENCH_DISABLE_SHIELD === "1",
    readPlanner: {
      enabled: (env.READ_PLANNER || "on").toLowerCase() !== "off",
      planCacheEntries: int(env.PLAN_CACHE_ENTRIES, 1000),
      preparedPerConnection: {
        lookup: int(env.PREPARED_LOOKUPS_PER_CONNECTION, 300),
        // a page's text names its partner, so pages multiply with partners; each holds a plan of about 175 kB in its
        // database server process (measured for workload (a)), hence the lower bound
        page: int(env.PREPARED_PAGES_PER_CONNECTION, 48),
      },
    },
    sqlStatementsHeader: env.SQL_STATEMENTS_HEADER ? env.SQL_STATEMENTS_HEADER.toLowerCase() === "on" : nodeEnv !== "production",
    jit: {
      enabled: (env.GRAPHQL_JIT || "on").toLowerCase() !== "off",
      cacheBytes: int(env.JIT_CACHE_BYTES, 64 * 1024 * 1024),
      maxSourceBytes: int(env.JIT_MAX_DOCUMENT_BYTES, 4096),
      // compiled queries over HTTP answered without Apollo's request pipeline (src/server/fast-lane.ts)
      fastLane: (env.FAST_LANE || "on").toLowerCase() !== "off",
    },
    subscriptions: {
      perConnection: Math.max(1, int(env.SUBSCRIPTIONS_PER_CONNECTION, 20)),
      bufferEvents: Math.max(1, int(env.SUBSCRIPTION_BUFFER_EVENTS, 1000)),
      connectionsPerPartner: Math.max(1, int(env.SUBSCRIPTION_CONNECTIONS_PER_PARTNER, 20)),
    },
    persistedOperations: {
      mode: persistedOperationsMode(env.PERSISTED_OPERATIONS),
      manifests: (env.PERSISTED_OPERATIONS_MANIFEST || "")
        .split(",")
        .map((file) => file.trim())
        .filter(Boolean)
        .map((file) => path.resolve(file)),
    },
    webhooks: {
      worker: (env.WEBHOOK_WORKER || "on").toLowerCase() !== "off",
      secretKey: env.WEBHOOK_SECRET_KEY || undefined,
      timeoutMs: int(env.WEBHOOK_TIMEOUT_MS, 10_000),
      leaseMs: int(env.WEBHOOK_LEASE_MS, 60_000),
      pollMs: int(env.WEBHOOK_POLL_MS, 1000),
      concurrency: Math.max(1, int(env.WEBHOOK_CONCURRENCY, 8)),
      baseDelayMs: int(env.WEBHOOK_RETRY_BASE_MS, 30_000),
      maxDelayMs: int(env.WEBHOOK_RETRY_MAX_DELAY_MS, 6 * 60 * 60 * 1000),
      retryWindowMs: int(env.WEBHOOK_RETRY_WINDOW_HOURS, 72) * 60 * 60 * 1000,
      disableAfterFailures: Math.max(1, int(env.WEBHOOK_DISABLE_AFTER_FAILURES, 50)),
      testsPerMinute: Math.max(1, int(env.WEBHOOK_TESTS_PER_MINUTE, 5)),
    },
  };
}

/** The folder holding package.json, whether running from src/ (ts-jest) or dist/src/. */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    const parent = path.dirname(dir);
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}
