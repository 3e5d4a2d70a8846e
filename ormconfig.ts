import "reflect-metadata";
import { DataSource, DataSourceOptions, Logger } from "typeorm";
import { AuditRecord } from "./src/modules/audit/audit-record.entity";
import { Customer, CustomerDomain } from "./src/modules/customers/customer.entity";
import { IdempotencyKey } from "./src/modules/idempotency/idempotency-key.entity";
import { Partner, PartnerUser } from "./src/modules/partners/partner.entity";
import { PurchasePermission } from "./src/modules/purchase-permissions/purchase-permission.entity";
import { CustomerRelationship } from "./src/modules/relationships/customer-relationship.entity";
import { IndirectRelationship } from "./src/modules/relationships/indirect-relationship.entity";
import { Subscription } from "./src/modules/subscriptions/subscription.entity";
import { InitialSchema1732300000000 } from "./src/db/migrations/1732300000000-initial-schema";
import { RelationshipRequests1732400000000 } from "./src/db/migrations/1732400000000-relationship-requests";
import { PerPartnerBillingProfile1732550000000 } from "./src/db/migrations/1732550000000-per-partner-billing-profile";
import { RelationshipRequest } from "./src/modules/relationships/relationship-request.entity";

export const entities = [
  Partner,
  PartnerUser,
  Customer,
  CustomerDomain,
  CustomerRelationship,
  IndirectRelationship,
  RelationshipRequest,
  Subscription,
  PurchasePermission,
  AuditRecord,
  IdempotencyKey,
];

export const migrations = [InitialSchema1732300000000, RelationshipRequests1732400000000, PerPartnerBillingProfile1732550000000];

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
