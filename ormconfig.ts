import "reflect-metadata";
import { DataSource, DataSourceOptions, Logger } from "typeorm";
import { migrations } from "./src/db/migrations";
import { pgTypes } from "./src/db/timestamps";
import { MODULES } from "./src/modules";

/** Every module's entities (each module declares its own in its manifest). */
export const entities = MODULES.flatMap((m) => m.entities ?? []);

export { migrations };

export interface DatabaseOptions {
  url: string;
  replicaUrls?: string[];
  poolSize?: number;
  /** PostgreSQL statement_timeout of every pooled connection (0 or unset: none). */
  statementTimeoutMs?: number;
  connectionTimeoutMs?: number;
  logger?: Logger;
}

/**
 * The TypeORM DataSource: entities, migrations (never `synchronize`), and read
 * replicas when DATABASE_REPLICA_URLS names any.
 */
export function createDataSource(options: DatabaseOptions): DataSource {
  const pool = {
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    // sent at connect (pg's startup parameter): no extra round trip per request
    statement_timeout: options.statementTimeoutMs || undefined,
    // short paged queries: starting parallel workers costs more (about 10 ms) than the scan they would share
    options: "-c max_parallel_workers_per_gather=0",
    types: pgTypes,
  };
  const connection: DataSourceOptions = {
    type: "postgres",
    entities,
    migrations,
    migrationsRun: false,
    synchronize: false,
    installExtensions: false,
    uuidExtension: "pgcrypto",
    logger: options.logger,
    logging: options.logger ? ["query", "error"] : false,
    extra: pool,
    ...(options.replicaUrls && options.replicaUrls.length > 0
      ? { replication: { master: { url: options.url }, slaves: options.replicaUrls.map((url) => ({ url })) } }
      : { url: options.url }),
  };
  return new DataSource(connection);
}

/** For the TypeORM CLI: DATABASE_URL names the database. */
export default createDataSource({ url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" });
