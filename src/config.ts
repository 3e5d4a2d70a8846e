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
  dataDir: string;
  logLevel: string;
  jwt: {
    secret: string | undefined;
    publicKey: string | undefined;
    jwksUrl: string | undefined;
    issuer: string;
    audience: string;
  };
  metricsEnabled: boolean;
  limits: QueryLimits;
  bodyLimitBytes: number;
  poolSize: number;
  /** Cost points per partner: bucket size and refill per second. */
  rateLimit: { capacity: number; refillPerSecond: number };
  /** Bench-only switch: serve without graphql-shield to measure its overhead. */
  disableShield: boolean;
  /** Send `x-sql-statements` (on outside production unless SQL_STATEMENTS_HEADER=off; the bench turns it on). */
  sqlStatementsHeader: boolean;
}

export interface QueryLimits {
  depth: number;
  aliases: number;
  directives: number;
  tokens: number;
  cost: number;
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number.parseInt(value, 10);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`expected a non-negative integer, got "${value}"`);
  return parsed;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV === "production" ? "production" : env.NODE_ENV === "test" ? "test" : "development";
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
    dataDir: path.resolve(env.DATA_DIR || path.join(projectRoot(), ".data")),
    logLevel: env.LOG_LEVEL || (nodeEnv === "test" ? "silent" : "info"),
    jwt: {
      secret: env.JWT_SECRET || undefined,
      publicKey: env.JWT_PUBLIC_KEY || undefined,
      jwksUrl: env.JWT_JWKS_URL || undefined,
      issuer: env.JWT_ISSUER || "partner-accounts-graphql",
      audience: env.JWT_AUDIENCE || "partner-accounts-graphql",
    },
    metricsEnabled: (env.METRICS || "on").toLowerCase() !== "off",
    limits: {
      depth: int(env.LIMIT_DEPTH, 10),
      aliases: int(env.LIMIT_ALIASES, 30),
      directives: int(env.LIMIT_DIRECTIVES, 50),
      tokens: int(env.LIMIT_TOKENS, 5000),
      cost: int(env.LIMIT_COST, 50000),
    },
    bodyLimitBytes: int(env.BODY_LIMIT_BYTES, 256 * 1024),
    poolSize: int(env.DATABASE_POOL_SIZE, 10),
    rateLimit: { capacity: int(env.RATE_LIMIT_CAPACITY, 1_000_000), refillPerSecond: int(env.RATE_LIMIT_REFILL_PER_SECOND, 100_000) },
    disableShield: env.BENCH_DISABLE_SHIELD === "1",
    sqlStatementsHeader: env.SQL_STATEMENTS_HEADER ? env.SQL_STATEMENTS_HEADER.toLowerCase() === "on" : nodeEnv !== "production",
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
