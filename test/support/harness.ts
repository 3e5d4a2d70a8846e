import crypto from "node:crypto";
import type http from "node:http";
import { Client } from "pg";
import pino from "pino";
import { PartnerRole } from "../../src/auth/roles";
import { createTokenService, TokenService } from "../../src/auth/tokens";
import { Config, loadConfig } from "../../src/config";
import { Database, openDatabase } from "../../src/db/database";
import { invitationSecretOf } from "../../src/modules/relationships/invitation-token";
import { DEMO_PARTNERS, partnerId, seedDemoData, userEmail, userId } from "../../src/db/seed/demo-data";
import { requestScope } from "../../src/db/sql-stats";
import { buildApiSchema } from "../../src/graphql/schema";
import { App, createApp } from "../../src/server/app";
import { openSharedState } from "../../src/server/shared-state";
import { createServices } from "../../src/services";

export const TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256";

export interface GqlResult<T = any> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: Record<string, any>;
  /** SQL statements the operation ran. */
  sql: number;
  status: number | undefined;
}

export type PartnerKey = (typeof DEMO_PARTNERS)[number]["key"];

function adminUrl(): string {
  const url = process.env.TEST_ADMIN_URL;
  if (!url) throw new Error("TEST_ADMIN_URL is not set: run tests through jest (globalSetup)");
  return url;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A caller: a partner user holding some roles. */
export class Caller {
  constructor(
    private readonly app: TestApp,
    readonly partner: PartnerKey,
    readonly roles: PartnerRole[],
  ) {}

  token(): Promise<string> {
    return this.app.token(this.partner, ...this.roles);
  }

  async run<T = any>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> {
    return this.app.run<T>(query, variables, await this.token());
  }
}

/** One test file's server: its own database (migrated, seeded), schema, app and tokens. */
export class TestApp {
  private listening: Promise<http.Server> | null = null;

  private constructor(
    readonly config: Config,
    readonly database: Database,
    readonly app: App,
    readonly tokens: TokenService,
    readonly databaseName: string,
    /** False for a database the test brought (options.databaseUrl): close() leaves it. */
    private readonly ownsDatabase = true,
  ) {}

  /** `databaseUrl`: an existing database on another server (e.g. a replication primary) instead of a new one on the test server; `log`: the app's logger (to read its lines). */
  static async start(options: { seed?: boolean; env?: Record<string, string>; databaseUrl?: string; log?: pino.Logger } = {}): Promise<TestApp> {
    const databaseName = options.databaseUrl ? new URL(options.databaseUrl).pathname.slice(1) : `t_${process.pid}_${crypto.randomBytes(4).toString("hex")}`;
    if (!options.databaseUrl) await admin((c) => c.query(`CREATE DATABASE ${databaseName}`));
    const config = loadConfig({ NODE_ENV: "test", DATABASE_URL: options.databaseUrl ?? withDatabase(adminUrl(), databaseName), JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: "silent", ...options.env });
    const log = options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
    const database = await openDatabase(config, log);
    if (options.seed !== false) await seedDemoData(database.dataSource, invitationSecretOf(config));
    const tokens = await createTokenService(config);
    const schema = await buildApiSchema({ shield: !config.disableShield });
    const shared = await openSharedState(config, log); // per process unless options.env sets REDIS_URL
    const app = await createApp({ config, schema, dataSource: database.dataSource, services: createServices({ dataSource: database.dataSource, config, caches: shared.caches }), tokens, log, shared });
    return new TestApp(config, database, app, tokens, databaseName, !options.databaseUrl);
  }

  as(partner: PartnerKey, ...roles: PartnerRole[]): Caller {
    return new Caller(this, partner, roles);
  }

  /** A caller without a bearer token (the customer's side of an invitation). */
  anonymous(): { run<T = any>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> } {
    return { run: (query, variables) => this.run(query, variables, null) };
  }

  token(partner: PartnerKey, ...roles: PartnerRole[]): Promise<string> {
    return this.tokens.sign({ sub: userId(partner, roles[0] ?? PartnerRole.GLOBAL_ADMIN), pid: partnerId(partner), roles, email: userEmail(partner, roles[0] ?? PartnerRole.GLOBAL_ADMIN) });
  }

  /** Runs an operation through Apollo's executeOperation with the context the HTTP layer would build. */
  async run<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResult<T>> {
    const scope = { requestId: crypto.randomUUID(), sql: { statements: 0 } };
    return requestScope.run(scope, async () => {
      const contextValue = await this.app.contextFor(token ? `Bearer ${token}` : undefined, scope);
      const response = await this.app.apollo.executeOperation<T>({ query, variables }, { contextValue });
      if (response.body.kind !== "single") throw new Error("incremental delivery is not expected");
      const { data, errors, extensions } = response.body.singleResult;
      return { data: data ?? undefined, errors: errors as GqlResult["errors"], extensions, sql: scope.sql.statements, status: response.http.status } as GqlResult<T>;
    });
  }

  /** The base URL of the app listening on a free port (started on first use). */
  async url(): Promise<string> {
    // one listener however many callers ask at once
    this.listening ??= this.app.listen(0, "127.0.0.1");
    const address = (await this.listening).address();
    if (!address || typeof address === "string") throw new Error("not listening");
    return `http://127.0.0.1:${address.port}`;
  }

  /** A database outage as the app sees it: new connections to this file's database are refused, open ones ended. */
  async cutOffDatabase(): Promise<void> {
    await admin(async (c) => {
      await c.query(`ALTER DATABASE ${this.databaseName} ALLOW_CONNECTIONS false`);
      await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [this.databaseName]);
    });
  }

  async restoreDatabase(): Promise<void> {
    await admin((c) => c.query(`ALTER DATABASE ${this.databaseName} ALLOW_CONNECTIONS true`));
  }

  sql<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
    return this.database.dataSource.query(text, params);
  }

  async close(): Promise<void> {
    await this.app.stop();
    await this.database.close();
    if (this.ownsDatabase) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${this.databaseName} WITH (FORCE)`));
  }
}

/** Unwraps data or fails the test with the errors. */
export function dataOf<T>(result: GqlResult<T>): T {
  if (result.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(result.errors, null, 2)}`);
  return result.data as T;
}

export { PartnerRole, partnerId };
