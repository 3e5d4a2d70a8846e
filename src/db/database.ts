import path from "node:path";
import { Client } from "pg";
import { DataSource, Migration, MigrationExecutor } from "typeorm";
import { createDataSource } from "../../ormconfig";
import type { Config } from "../config";
import type { AppLogger } from "../server/logger";
import { EmbeddedDatabase, startEmbeddedPostgres } from "./embedded";
import { ReplicaRouting, routeReads } from "./replicas";
import { CountingLogger, requestScope } from "./sql-stats";

export const EMBEDDED_DATABASE_NAME = "partner_accounts";

export interface Database {
  dataSource: DataSource;
  url: string;
  embedded: EmbeddedDatabase | null;
  close(): Promise<void>;
}

/** Creates the database on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/** Pending migrations, on one connection without the API's statement timeout (an index build may take minutes). */
async function runMigrations(dataSource: DataSource): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner("master");
  try {
    await runner.query("SET statement_timeout = 0");
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = "each";
    const applied = await executor.executePendingMigrations();
    await runner.query("RESET statement_timeout"); // back to the pool's value before the connection is reused
    return applied;
  } finally {
    await runner.release();
  }
}

/**
 * Opens the database the config names, or starts the embedded PostgreSQL in
 * `.data/postgres` when DATABASE_URL is unset; then applies pending migrations.
 */
export async function openDatabase(config: Config, log: AppLogger): Promise<Database> {
  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  if (!url) {
    if (config.env === "production") log.warn("DATABASE_URL is not set: starting the embedded PostgreSQL");
    const requested = path.join(config.dataDir, "postgres");
    embedded = await startEmbeddedPostgres({ dataDir: requested, onLog: (message) => log.debug({ postgres: message.trim() }, "embedded postgres") });
    if (embedded.dataDir !== requested) {
      log.warn({ requested, dataDir: embedded.dataDir }, "the postgres user cannot reach the data folder; the embedded database lives in the temp directory instead (set DATA_DIR to choose)");
    }
    await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE_NAME);
    url = embedded.urlFor(EMBEDDED_DATABASE_NAME);
    log.info({ port: embedded.port }, "embedded PostgreSQL started");
  }
  const dataSource = createDataSource({
    url,
    replicaUrls: config.databaseReplicaUrls,
    poolSize: config.poolSize,
    statementTimeoutMs: config.statementTimeoutMs,
    connectionTimeoutMs: config.connectionTimeoutMs,
    // inside a request its own logger, so the line carries the request id
    logger: new CountingLogger((level, message) => (requestScope.getStore()?.log ?? log)[level]({ typeorm: message }, "typeorm")),
  });
  let replicas: ReplicaRouting | null = null;
  try {
    await dataSource.initialize();
    const applied = await runMigrations(dataSource);
    if (applied.length > 0) log.info({ migrations: applied.map((m) => m.name) }, "migrations applied");
    if (config.databaseReplicaUrls.length > 0) {
      replicas = await routeReads(dataSource, { primaryUrl: url, replicaUrls: config.databaseReplicaUrls, checkMs: config.databaseReplicaCheckMs, maxLagMs: config.databaseReplicaMaxLagMs });
    }
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  return {
    dataSource,
    url,
    embedded,
    async close() {
      try {
        await replicas?.stop();
        if (dataSource.isInitialized) await dataSource.destroy();
        log.info("database pool closed");
      } finally {
        // stopped even when closing the pool failed: it would outlive the process otherwise
        if (embedded) {
          await embedded.stop();
          log.info("embedded PostgreSQL stopped");
        }
      }
    },
  };
}
