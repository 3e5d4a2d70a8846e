import crypto from "node:crypto";
import { ensureDatabase } from "../src/db/database";
import { readFromPrimary, ReplicaHealth, ReplicaRouting, replicaRouting } from "../src/db/replicas";
import { requestScope } from "../src/db/sql-stats";
import { customerInput, CUSTOMER_CREATE, uniquePrefix } from "./support/fixtures";
import { dbIdOf } from "./support/kit";
import { PartnerRole, TestApp } from "./support/harness";
import { Cluster, startPrimary, startStandby } from "./support/replication";

/**
 * Read replicas against a real streaming standby (PostgreSQL 15 binaries of
 * the machine): which server answers is shown by data only one of them has
 * (replay paused on the standby) and by pg_is_in_recovery() through the routing.
 */
const DATABASE = "partner_accounts";
let primary: Cluster | null = null;
let standby: Cluster | null = null;
/** Lag bound far above any test's duration: only an unreachable standby is skipped. */
let lenient: TestApp | null = null;
/** A small lag bound: a paused standby is skipped once the monitor has seen it behind that long. */
let strict: TestApp | null = null;

beforeAll(async () => {
  primary = await startPrimary();
  await ensureDatabase(primary.url("postgres"), DATABASE);
  // migrations and demo data through the app, before the standby copies the primary
  const seeder = await TestApp.start({ databaseUrl: primary.url(DATABASE) });
  await seeder.close();
  standby = await startStandby(primary);
  const env = (maxLagMs: number, replicas: string[]) => ({ DATABASE_REPLICA_URLS: replicas.join(","), DATABASE_REPLICA_CHECK_MS: "50", DATABASE_REPLICA_MAX_LAG_MS: String(maxLagMs) });
  // the standby twice: two pools, so reads show the round robin
  lenient = await TestApp.start({ databaseUrl: primary.url(DATABASE), seed: false, env: env(600_000, [standby.url(DATABASE), standby.url(DATABASE)]) });
  strict = await TestApp.start({ databaseUrl: primary.url(DATABASE), seed: false, env: env(500, [standby.url(DATABASE)]) });
});

afterAll(async () => {
  for (const app of [lenient, strict]) await app?.close().catch(() => undefined);
  for (const cluster of [standby, primary]) await cluster?.remove();
});

function routingOf(app: TestApp | null): ReplicaRouting {
  const routing = replicaRouting(app!.database.dataSource);
  if (!routing) throw new Error("no replica routing: DATABASE_REPLICA_URLS was not applied");
  return routing;
}

/** Polls until `accept` holds (the monitor checks every 50 ms); fails with the last value seen. */
async function waitFor<T>(what: string, read: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
    value = await read();
  }
  return value;
}

const allIn = (app: TestApp | null, state: ReplicaHealth["state"]) => waitFor(`every replica ${state}`, () => routingOf(app).health(), (h) => h.every((r) => r.state === state));

/** Which server a read of a new request reaches, through the same routing as the API's reads (a query builder without a runner). */
function readServer(app: TestApp | null, sql = "pg_is_in_recovery()", pinned = false): Promise<"standby" | "primary"> {
  return requestScope.run({ requestId: crypto.randomUUID(), sql: { statements: 0 } }, async () => {
    if (pinned) readFromPrimary();
    const row = await app!.database.dataSource.createQueryBuilder().select(sql, "standby").fromDummy().getRawOne<{ standby: boolean }>();
    return row!.standby ? "standby" : "primary";
  });
}

/** One request over HTTP, as a client sends it. */
async function post(app: TestApp | null, query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${await app!.url()}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${await app!.token("fabrikam", PartnerRole.GLOBAL_ADMIN)}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

const FIND = `query($id: ID!, $name: String!) { customer(id: $id) { id companyName } customers(first: 5, filter: { search: $name }) { nodes { id } } }`;

/** What a new request sees of the customer: found by id and listed, or neither. */
async function visible(app: TestApp | null, customer: { id: string; companyName: string }): Promise<boolean> {
  const { status, body } = await post(app, FIND, { id: customer.id, name: customer.companyName });
  expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
  const byId = body.data.customer !== null;
  expect(body.data.customers.nodes.some((n: { id: string }) => n.id === customer.id)).toBe(byId);
  return byId;
}

/** Creates a customer through the API's mutation; returns its payload. */
async function createCustomer(app: TestApp | null): Promise<{ id: string; companyName: string; domains: string[]; defaultDomain: string; relationship: { status: string } | null }> {
  const companyName = `Replica Probe ${uniquePrefix()}`;
  const { status, body } = await post(
    app,
    `mutation($input: CustomerCreateInput!) { customerCreate(input: $input) { customer { id companyName defaultDomain domains relationship { status } } userErrors { code } } }`,
    { input: customerInput({ billingProfile: { companyName } }) },
  );
  expect({ status, errors: body.errors, userErrors: body.data.customerCreate.userErrors }).toEqual({ status: 200, errors: undefined, userErrors: [] });
  return body.data.customerCreate.customer;
}

/** How many rows of the customer each server holds (straight SQL, no routing). */
async function rowsOn(customer: { id: string }) {
  const count = async (cluster: Cluster | null) => (await cluster!.sql(DATABASE, "SELECT count(*)::int AS n FROM customer WHERE id = $1", [dbIdOf(customer.id)]))[0].n;
  return { primary: await count(primary), standby: await count(standby) };
}

async function withReplayPaused<T>(fn: () => Promise<T>): Promise<T> {
  await standby!.sql("postgres", "SELECT pg_wal_replay_pause()");
  try {
    return await fn();
  } finally {
    await standby!.sql("postgres", "SELECT pg_wal_replay_resume()");
  }
}

const counters = (app: TestApp | null) => ({ primary: routingOf(app).primaryReads(), replicas: routingOf(app).health().map((r) => r.reads) });

it("sends reads to the healthy replicas in turn, and every read of a request that writes to the primary", async () => {
  await allIn(lenient, "healthy");
  const before = counters(lenient);
  expect([await readServer(lenient), await readServer(lenient), await readServer(lenient), await readServer(lenient)]).toEqual(["standby", "standby", "standby", "standby"]);
  expect(counters(lenient)).toEqual({ primary: before.primary, replicas: before.replicas.map((n) => n + 2) });
  expect(await readServer(lenient, "pg_is_in_recovery()", true)).toBe("primary");

  await withReplayPaused(async () => {
    const beforeWrite = counters(lenient);
    const created = await createCustomer(lenient);
    // the payload's domains and relationship are read after commit, outside the transaction: from the primary
    expect(created).toMatchObject({ domains: [created.defaultDomain], relationship: { status: "ACTIVE" } });
    const afterWrite = counters(lenient);
    expect(afterWrite.replicas).toEqual(beforeWrite.replicas);
    expect(afterWrite.primary).toBeGreaterThan(beforeWrite.primary);
    expect(await rowsOn(created)).toEqual({ primary: 1, standby: 0 });

    // a new request that only reads: the replica, which has not replayed the insert
    expect(await visible(lenient, created)).toBe(false);
    const afterRead = counters(lenient);
    expect(afterRead.primary).toBe(afterWrite.primary);
    expect(afterRead.replicas.reduce((a, b) => a + b)).toBeGreaterThan(afterWrite.replicas.reduce((a, b) => a + b));
    expect(routingOf(lenient).health().map((r) => r.state)).toEqual(["healthy", "healthy"]);
  });
});

it("skips a replica lagging past DATABASE_REPLICA_MAX_LAG_MS, and uses it again once it has caught up", async () => {
  await allIn(strict, "healthy");
  await withReplayPaused(async () => {
    const created = await createCustomer(strict);
    const lagging = await allIn(strict, "lagging");
    expect(lagging[0]!.lagMs).toBeGreaterThan(500);
    // the primary answers: the customer is there, though the standby still lacks it
    expect(await visible(strict, created)).toBe(true);
    expect(await readServer(strict)).toBe("primary");
    expect(await rowsOn(created)).toEqual({ primary: 1, standby: 0 });
    // the lenient app still reads the standby: the lag, not the write, made the strict one skip it
    expect(await visible(lenient, created)).toBe(false);
  });
  await allIn(strict, "healthy");
  expect(await readServer(strict)).toBe("standby");
});

it("answers from the primary when the replica goes down, even under a read it was serving, and never with a 5xx", async () => {
  await allIn(lenient, "healthy");
  expect(await readServer(lenient)).toBe("standby");
  const created = await createCustomer(lenient);

  // a read running on the standby when it stops is repeated on the primary
  const slow = readServer(lenient, "(SELECT pg_is_in_recovery() FROM pg_sleep(1))");
  await waitFor(
    "the slow read on the standby",
    () => standby!.sql("postgres", "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%FROM pg_sleep(1)%' AND pid <> pg_backend_pid()"),
    (rows) => rows[0].n === 1,
  );
  const before = counters(lenient);
  await standby!.stop("immediate");
  expect(await slow).toBe("primary");
  expect(counters(lenient).primary).toBeGreaterThan(before.primary);

  for (let i = 0; i < 5; i++) {
    expect(await visible(lenient, created)).toBe(true);
    expect(await visible(strict, created)).toBe(true);
  }
  expect(await readServer(lenient)).toBe("primary");
  const down = await allIn(lenient, "unreachable");
  expect(down.map((r) => r.lagMs)).toEqual([null, null]);
  expect(counters(lenient).replicas).toEqual(before.replicas);

  const ready = await fetch(`${await lenient!.url()}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ status: "ready", replicas: [{ state: "unreachable" }, { state: "unreachable" }] });
});
