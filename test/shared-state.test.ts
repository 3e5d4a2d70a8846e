import { ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { freePort } from "../src/db/free-port";
import { openSharedState, SharedState } from "../src/server/shared-state";
import { PartnerRole, TEST_JWT_SECRET, TestApp } from "./support/harness";
import { deleteRedisKeys, TEST_REDIS_URL, testRedisPrefix } from "./support/redis";

/**
 * Two built server processes on one database and the real Redis: a partner's
 * cost budget and an address's anonymous budget are spent once across both,
 * and a cache invalidation published elsewhere reaches them. With Redis
 * unreachable, requests still succeed on per-process budgets.
 */
const REDIS_URL = TEST_REDIS_URL;
const PREFIX = testRedisPrefix();
const CAPACITY = 30;
const ANONYMOUS_PER_MINUTE = 3;
// a refill this small adds under one point in the whole run, so the counts below are exact
const LIMITS = { RATE_LIMIT_CAPACITY: String(CAPACITY), RATE_LIMIT_REFILL_PER_SECOND: "0.001", ANONYMOUS_RATE_LIMIT_PER_MINUTE: String(ANONYMOUS_PER_MINUTE) };
const MAIN = path.join(__dirname, "..", "dist", "src", "main.js");
const silent = pino({ level: "silent" });

interface Server {
  url: string;
  child: ChildProcess;
  output(): string;
}

let app: TestApp; // in-process, on the same database and Redis: publishes invalidations
let a: Server;
let b: Server;
const children: ChildProcess[] = [];

async function startServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const { DATABASE_URL: _database, REDIS_URL: _redis, ...inherited } = process.env;
  const child = spawn(process.execPath, [MAIN], {
    env: { ...inherited, NODE_ENV: "test", LOG_LEVEL: "warn", HOST: "127.0.0.1", PORT: String(port), DATABASE_URL: app.config.databaseUrl!, JWT_SECRET: TEST_JWT_SECRET, ...LIMITS, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  for (let i = 0; i < 600 && !output.includes("Playground:") && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  if (!output.includes("Playground:")) throw new Error(`the server did not start:\n${output}`);
  return { url: `http://127.0.0.1:${port}`, child, output: () => output };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

async function post(server: Server, query: string, token?: string) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${server.url}/graphql`, { method: "POST", headers, body: JSON.stringify({ query }) });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), json: (await response.json()) as any };
}

beforeAll(async () => {
  expect(fs.existsSync(MAIN)).toBe(true); // built by pretest (npm run build)
  app = await TestApp.start({ env: { REDIS_URL, REDIS_KEY_PREFIX: PREFIX, ...LIMITS } });
  const shared = { REDIS_URL, REDIS_KEY_PREFIX: PREFIX };
  [a, b] = await Promise.all([startServer(shared), startServer(shared)]);
});

afterAll(async () => {
  try {
    await Promise.all(children.map(stopServer));
    await app?.close();
  } finally {
    await deleteRedisKeys(PREFIX);
  }
});

it("spends a partner's cost budget once across two instances, not once per instance", async () => {
  const token = await app.token("contoso", PartnerRole.GLOBAL_ADMIN);
  const query = "{ viewer { partner { name } } }";
  const results = [];
  for (let i = 0; i < 22; i++) results.push(await post(i % 2 === 0 ? a : b, query, token)); // A, B, A, B, ...

  const cost = results[0]!.json.extensions.cost;
  expect(cost.actual).toBe(cost.requested); // nothing is refunded, so each accepted request spends exactly `requested`
  const perBudget = Math.floor(CAPACITY / cost.requested);
  const accepted = results.filter((r) => r.status === 200);
  const throttled = results.filter((r) => r.status === 429);
  expect(perBudget).toBe(10);
  expect(accepted).toHaveLength(perBudget); // per-process budgets would have accepted 2 × 10
  expect(throttled).toHaveLength(results.length - perBudget);
  expect(results.slice(0, perBudget).every((r) => r.status === 200)).toBe(true);
  // each instance sees what the other spent: remaining falls by `requested` from one request to the next
  expect(accepted.map((r) => r.json.extensions.cost.remaining)).toEqual(Array.from({ length: perBudget }, (_, i) => CAPACITY - (i + 1) * cost.requested));
  for (const r of throttled) {
    expect(r.json.errors[0].extensions.code).toBe("THROTTLED");
    expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
  }
});

it("spends an address's anonymous budget once across two instances, at the edge", async () => {
  const results = [];
  for (let i = 0; i < 8; i++) results.push(await post(i % 2 === 0 ? a : b, "{ __typename }"));
  expect(results.map((r) => r.status)).toEqual([200, 200, 200, 429, 429, 429, 429, 429]); // per process: 6 × 200
  for (const r of results.slice(ANONYMOUS_PER_MINUTE)) {
    expect(r.json.errors[0].extensions.code).toBe("THROTTLED");
    expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(r.retryAfter)).toBeLessThanOrEqual(60 / ANONYMOUS_PER_MINUTE);
  }
  // a caller with a token is charged to its partner, not to the address
  expect((await post(a, "{ viewer { partner { name } } }", await app.token("adatum", PartnerRole.GLOBAL_ADMIN))).status).toBe(200);
});

it("drops a changed partner row on every instance when one publishes its invalidation", async () => {
  const token = await app.token("fabrikam", PartnerRole.GLOBAL_ADMIN);
  const query = "{ indirectResellers(first: 1) { nodes { reseller { id name } } } }";
  const readOnB = async () => (await post(b, query, token)).json.data.indirectResellers.nodes[0].reseller as { id: string; name: string };
  const readHere = async () => (await app.as("fabrikam", PartnerRole.GLOBAL_ADMIN).run(query)).data.indirectResellers.nodes[0].reseller as { id: string; name: string };

  const before = await readOnB();
  expect((await readHere()).name).toBe(before.name);
  const renamed = `${before.name} (renamed)`;
  const [row] = await app.sql<{ id: string }>("SELECT id FROM partner WHERE name = $1", [before.name]);
  await app.sql("UPDATE partner SET name = $2 WHERE id = $1", [row!.id, renamed]);
  expect((await readOnB()).name).toBe(before.name); // B serves the row from its process cache

  const { services } = await app.app.contextFor();
  await services.partners.invalidatePartner(row!.id);
  expect((await readOnB()).name).toBe(renamed); // the next request on B reads the row again
  expect((await readHere()).name).toBe(renamed); // and the publisher dropped its own entry too
});

it("keeps serving on per-process budgets when Redis is unreachable: no 5xx", async () => {
  const closed = await freePort(); // nothing listens there
  const c = await startServer({ REDIS_URL: `redis://127.0.0.1:${closed}`, REDIS_KEY_PREFIX: PREFIX });
  const token = await app.token("tailspin", PartnerRole.GLOBAL_ADMIN);
  const partner = [];
  for (let i = 0; i < 12; i++) partner.push(await post(c, "{ viewer { partner { name } } }", token));
  expect(partner.map((r) => r.status)).toEqual([...Array(10).fill(200), 429, 429]); // the fallback still enforces the budget
  expect(partner[0]!.json.data.viewer.partner.name).toBe("Tailspin Federal");
  const anonymous = [];
  for (let i = 0; i < 5; i++) anonymous.push(await post(c, "{ __typename }"));
  expect(anonymous.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
  expect(c.output()).toContain("Redis is unreachable: rate budgets and caches are per process");
  await stopServer(c.child);
  expect(c.child.exitCode).toBe(0);
});

describe("the cache bus and budgets in process", () => {
  const opened: SharedState[] = [];
  afterAll(() => Promise.all(opened.map((s) => s.close())));
  const open = async (redisUrl: string | undefined) => {
    const state = await openSharedState({ redisUrl, redisKeyPrefix: PREFIX }, silent);
    opened.push(state);
    return state;
  };

  it("two instances sharing Redis share one bucket and receive each other's invalidations", async () => {
    const [one, two] = await Promise.all([open(REDIS_URL), open(REDIS_URL)]);
    expect(one.inRedis && two.inRedis).toBe(true);
    const [budgetOne, budgetTwo] = [one.budget("unit", 10, 0.001), two.budget("unit", 10, 0.001)];
    expect(await budgetOne.take("k", 7)).toEqual({ ok: true });
    expect(await budgetTwo.remaining("k")).toBe(3);
    expect(await budgetTwo.take("k", 4)).toMatchObject({ ok: false });
    await budgetTwo.refund("k", 2);
    expect(await budgetOne.remaining("k")).toBe(5);

    const cacheOne = new Map([["p1", 1], ["p2", 2]]);
    const cacheTwo = new Map([["p1", 1], ["p2", 2]]);
    one.caches.register("unit", cacheOne);
    two.caches.register("unit", cacheTwo);
    await one.caches.invalidate("unit", "p1");
    expect([...cacheOne.keys()]).toEqual(["p2"]); // at once on the publisher
    for (let i = 0; i < 100 && cacheTwo.has("p1"); i++) await new Promise((r) => setTimeout(r, 10));
    expect([...cacheTwo.keys()]).toEqual(["p2"]);
  });

  it("without Redis, or with Redis unreachable, invalidation drops the entry in this process and never throws", async () => {
    for (const state of [await open(undefined), await open(`redis://127.0.0.1:${await freePort()}`)]) {
      const cache = new Map([["p1", 1]]);
      state.caches.register("unit", cache);
      await expect(state.caches.invalidate("unit", "p1")).resolves.toBeUndefined();
      expect(cache.size).toBe(0);
      expect(await state.budget("unit", 5, 1).take("k", 5)).toEqual({ ok: true });
    }
  });
});
