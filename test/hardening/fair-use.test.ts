import "reflect-metadata";
import { Client } from "pg";
import { PartnerConcurrency } from "../../src/server/partner-concurrency";
import { customerInput, CUSTOMER_CREATE } from "../support/fixtures";
import { PartnerRole, partnerId, TestApp } from "../support/harness";

/**
 * Fair use (API.md section 7): a statement that runs too long is cancelled and
 * answered STATEMENT_TIMEOUT; one partner's concurrent operations wait in that
 * partner's own queue, so another partner's requests neither wait nor fail.
 * Slowness is made deterministic with table locks held by a separate
 * connection: lock waits count toward statement_timeout, and a held lock keeps
 * A's operations in flight for exactly as long as the test wants.
 */

const SEARCH_TOTAL = `{ customers(first: 1, filter: { search: "e" }) { totalCount } }`;
const LIGHT = `{ customers(first: 5) { totalCount nodes { id companyName } } }`;

interface Answer {
  status: number;
  retryAfter: string | null;
  text: string;
  json: any;
}

/** Starts the app listening; once, before any concurrent request (TestApp.url() is not safe to race). */
async function started(env: Record<string, string>): Promise<TestApp> {
  const app = await TestApp.start({ env });
  await app.url();
  return app;
}

async function post(app: TestApp, token: string, query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${await app.url()}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get("retry-after"), text, json: JSON.parse(text) };
}

/** A connection outside the app's pool (so it takes none of its slots), for locks and pg_stat_activity. */
async function sideConnection(app: TestApp): Promise<Client> {
  const client = new Client({ connectionString: app.database.url });
  client.on("error", () => undefined); // a failed test leaves it open: DROP DATABASE … WITH (FORCE) then ends it
  await client.connect();
  return client;
}

/** Holds `LOCK TABLE … IN <mode> MODE` until release() commits. */
async function holdLock(app: TestApp, table: string, mode: string): Promise<{ release(): Promise<void> }> {
  const client = await sideConnection(app);
  await client.query("BEGIN");
  await client.query(`LOCK TABLE ${table} IN ${mode} MODE`);
  return {
    async release() {
      await client.query("COMMIT");
      await client.end();
    },
  };
}

/** Backends of the app's database waiting for a lock: the operations the held lock keeps in flight. */
async function lockWaiters(client: Client): Promise<number> {
  const { rows } = await client.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
  );
  return rows[0].n;
}

/** Polls until the condition holds; fails the test (never asserts a duration) if it never does. */
async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never happened: ${what}`);
}

/** Starts every request at once and counts the answers as they arrive. */
function concurrently(n: number, send: (i: number) => Promise<Answer>): { settled: () => number; all: Promise<Answer[]> } {
  let settled = 0;
  const all = Promise.all(Array.from({ length: n }, (_, i) => send(i).finally(() => settled++)));
  return { settled: () => settled, all };
}

function codesOf(answer: Answer): string[] {
  return (answer.json.errors ?? []).map((e: any) => e.extensions?.code);
}

describe("PartnerConcurrency", () => {
  afterEach(() => jest.useRealTimers());

  it("runs up to the limit, queues the rest in arrival order and refuses beyond the queue", async () => {
    const lanes = new PartnerConcurrency({ limit: 2, queueLimit: 2, queueTimeoutMs: 60_000 });
    const order: number[] = [];
    const leases = Array.from({ length: 4 }, () => lanes.acquire("a"));
    leases.forEach((lease, i) => lease.granted.then(() => order.push(i)));
    await expect(lanes.acquire("a").granted).rejects.toMatchObject({ extensions: { code: "THROTTLED", retryAfter: 1, http: { status: 429 } } });
    await Promise.all([leases[0]!.granted, leases[1]!.granted]);
    expect(lanes.of("a")).toEqual({ running: 2, waiting: 2 });
    expect(lanes.of("b")).toEqual({ running: 0, waiting: 0 });
    await lanes.acquire("b").granted; // another partner is not behind a's queue

    leases[1]!.release();
    leases[1]!.release(); // a second release frees nothing more
    await leases[2]!.granted;
    expect(lanes.of("a")).toEqual({ running: 2, waiting: 1 });
    leases[0]!.release();
    await leases[3]!.granted;
    expect(order).toEqual([0, 1, 2, 3]);
    expect(lanes.refusedTotal()).toBe(1);
  });

  it("refuses an operation that waited longer than the queue timeout, and a released waiter leaves the queue", async () => {
    jest.useFakeTimers();
    const lanes = new PartnerConcurrency({ limit: 1, queueLimit: 5, queueTimeoutMs: 1000 });
    const running = lanes.acquire("a");
    const gaveUp = lanes.acquire("a");
    const timedOut = lanes.acquire("a");
    const timedOutResult = expect(timedOut.granted).rejects.toMatchObject({ extensions: { code: "THROTTLED" } });
    gaveUp.release(); // its response was sent already (another plugin failed): it must not take a slot later
    await gaveUp.granted; // and nothing is left waiting on it
    expect(lanes.of("a")).toEqual({ running: 1, waiting: 1 });
    jest.advanceTimersByTime(1000);
    await timedOutResult;
    expect(lanes.of("a")).toEqual({ running: 1, waiting: 0 });
    running.release();
    expect(lanes.gauge()).toEqual([]);
  });
});

describe("statement timeout", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await started({ DATABASE_STATEMENT_TIMEOUT_MS: "300" });
  });
  afterAll(() => app?.close());

  it("applies to the application's pooled connections (migrations and the seed ran without it)", async () => {
    expect(await app.sql("SHOW statement_timeout")).toEqual([{ statement_timeout: "300ms" }]);
    expect((await app.sql("SELECT count(*)::int AS n FROM customer"))[0].n).toBeGreaterThan(0);
  });

  it("cancels a query that runs too long with STATEMENT_TIMEOUT: HTTP 200, the field null, no SQL in the answer", async () => {
    const token = await app.token("contoso", PartnerRole.GLOBAL_ADMIN);
    const lock = await holdLock(app, "customer", "ACCESS EXCLUSIVE"); // the search must wait for it: longer than 300 ms
    let answer: Answer;
    try {
      answer = await post(app, token, SEARCH_TOTAL);
    } finally {
      await lock.release();
    }
    expect(answer.status).toBe(200);
    expect(answer.json.data).toEqual({ customers: null });
    expect(answer.json.errors).toHaveLength(1);
    expect(answer.json.errors[0]).toMatchObject({ path: ["customers"], extensions: { code: "STATEMENT_TIMEOUT", timeoutMs: 300 } });
    expect(answer.json.errors[0].message).toMatch(/narrow the filter or ask for a smaller page/);
    expect(answer.text).not.toMatch(/SELECT|canceling statement|customer_relationship|57014/i);

    const after = await post(app, token, SEARCH_TOTAL);
    expect(after.json.data.customers.totalCount).toBeGreaterThan(0); // the lock gone, the same query answers
  });

  it("rolls back a mutation cut by the timeout: the same code, nothing written", async () => {
    const token = await app.token("contoso", PartnerRole.SALES_AGENT);
    const input = customerInput();
    const domain = `${input.companyProfile.domainPrefix}.onmicrosoft.com`;
    const [{ n: before }] = await app.sql("SELECT count(*)::int AS n FROM customer");
    const watcher = await sideConnection(app);
    const lock = await holdLock(app, "audit_record", "EXCLUSIVE"); // reads pass; the mutation's audit insert waits
    let answer: Answer;
    try {
      const pending = post(app, token, CUSTOMER_CREATE, { input });
      await until(async () => (await lockWaiters(watcher)) === 1, "customerCreate waiting on audit_record");
      // it had written the customer inside its transaction before it waited
      const { rows } = await watcher.query(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE a.wait_event_type = 'Lock' AND a.datname = current_database() AND l.relation = 'customer'::regclass AND l.mode = 'RowExclusiveLock' AND l.granted`,
      );
      expect(rows[0].n).toBe(1);
      answer = await pending;
    } finally {
      await lock.release();
      await watcher.end();
    }
    expect(answer.status).toBe(200);
    expect(answer.json.data).toEqual({ customerCreate: null });
    expect(codesOf(answer)).toEqual(["STATEMENT_TIMEOUT"]);
    expect(answer.text).not.toMatch(/INSERT|canceling statement|audit_record/i);
    expect(await app.sql("SELECT count(*)::int AS n FROM customer_domain WHERE domain = $1", [domain])).toEqual([{ n: 0 }]);
    expect(await app.sql("SELECT count(*)::int AS n FROM customer")).toEqual([{ n: before }]);
  });

  it("serves 50 concurrent requests of one partner with the default cap and queue (the benchmark's shape)", async () => {
    expect(app.config.partnerConcurrency).toEqual({ limit: 5, queueLimit: 100, queueTimeoutMs: 5000 }); // pool 10 by default
    const token = await app.token("contoso", PartnerRole.GLOBAL_ADMIN);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, app.app.concurrency.of(partnerId("contoso")).running)), 1);
    try {
      const answers = await concurrently(50, () => post(app, token, LIGHT)).all;
      expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
      expect(answers.every((a) => a.json.data.customers.nodes.length === 5)).toBe(true);
    } finally {
      clearInterval(sampler);
    }
    expect(peak).toBeLessThanOrEqual(5);
  });
});

describe("one partner saturating its share", () => {
  // pool 6, cap 3: A's 3 held operations hold 3 connections, B keeps the other 3; each queue holds 20
  // (all of B's 20 fit whatever their timing; 7 of A's 30 are refused); a budget that barely refills shows what was charged
  const ENV = {
    DATABASE_POOL_SIZE: "6",
    PARTNER_CONCURRENCY: "3",
    PARTNER_QUEUE_LIMIT: "20",
    PARTNER_QUEUE_TIMEOUT_MS: "60000",
    DATABASE_STATEMENT_TIMEOUT_MS: "60000",
    RATE_LIMIT_CAPACITY: "1000000",
    RATE_LIMIT_REFILL_PER_SECOND: "0.001",
  };
  let app: TestApp;
  beforeAll(async () => {
    app = await started(ENV);
  });
  afterAll(() => app?.close());

  it("answers every request of B with data while A's 30 heavy operations are held; A never exceeds the cap and gets 200 or 429", async () => {
    const a = partnerId("contoso");
    const tokenA = await app.token("contoso", PartnerRole.SALES_AGENT);
    const tokenB = await app.token("adatum", PartnerRole.GLOBAL_ADMIN);
    const watcher = await sideConnection(app);
    const lock = await holdLock(app, "audit_record", "EXCLUSIVE"); // every customerCreate waits for it at its audit insert
    let peakAtDatabase = 0;
    let peakRunning = 0;
    const sample = async () => {
      peakAtDatabase = Math.max(peakAtDatabase, await lockWaiters(watcher));
      peakRunning = Math.max(peakRunning, app.app.concurrency.of(a).running);
    };
    let heavy: ReturnType<typeof concurrently> | null = null;
    try {
      heavy = concurrently(30, () => post(app, tokenA, CUSTOMER_CREATE, { input: customerInput() }));
      // 3 run (and wait at the lock), 20 queue, 7 are refused at once
      await until(async () => {
        await sample();
        return heavy!.settled() === 7 && (await lockWaiters(watcher)) === 3;
      }, "A: 7 refused, 3 waiting at the database");
      expect(app.app.concurrency.of(a)).toEqual({ running: 3, waiting: 20 });

      const light = concurrently(20, () => post(app, tokenB, LIGHT));
      let sampling = true;
      const sampler = (async () => {
        while (sampling) await sample();
      })();
      const answersB = await light.all;
      sampling = false;
      await sampler;
      expect(answersB.map((b) => b.status)).toEqual(Array(20).fill(200));
      expect(answersB.every((b) => !b.json.errors && b.json.data.customers.nodes.length === 5)).toBe(true);
      // B finished while every admitted A operation was still held
      expect(heavy.settled()).toBe(7);
      expect(app.app.concurrency.of(a)).toEqual({ running: 3, waiting: 20 });
      expect(await lockWaiters(watcher)).toBe(3);

      const metrics = await (await fetch(`${await app.url()}/metrics`)).text();
      expect(metrics).toContain(`partner_operations{partner="${a}",state="running"} 3`);
      expect(metrics).toContain(`partner_operations{partner="${a}",state="queued"} 20`);
      expect(metrics).toContain("partner_operations_refused_total 7");
    } finally {
      await lock.release();
    }
    let answersA: Answer[];
    try {
      answersA = await heavy.all;
      await sample();
    } finally {
      await watcher.end();
    }

    const created = answersA.filter((x) => x.status === 200);
    const refused = answersA.filter((x) => x.status === 429);
    expect(created).toHaveLength(23);
    expect(created.every((x) => x.json.data.customerCreate.userErrors.length === 0 && x.json.data.customerCreate.customer.id)).toBe(true);
    expect(refused).toHaveLength(7);
    expect(refused.every((x) => codesOf(x).join() === "THROTTLED" && Number(x.retryAfter) >= 1)).toBe(true);
    // only what ran was charged: the refused requests got their requested cost back
    const charged = created.reduce((sum, x) => sum + x.json.extensions.cost.actual, 0);
    expect(await app.app.budget.remaining(a)).toBe(1_000_000 - charged);
    expect(peakAtDatabase).toBe(3);
    expect(peakRunning).toBe(3);
    expect(app.app.concurrency.gauge()).toEqual([]);
  });
});

describe("a pool wait that times out", () => {
  // the cap as large as the pool: A's 3 held operations take every connection
  let app: TestApp;
  beforeAll(async () => {
    app = await started({ DATABASE_POOL_SIZE: "3", PARTNER_CONCURRENCY: "3", DATABASE_CONNECTION_TIMEOUT_MS: "300", DATABASE_STATEMENT_TIMEOUT_MS: "60000" });
  });
  afterAll(() => app?.close());

  it("is 503 SERVICE_UNAVAILABLE with a retry message, and the process recovers", async () => {
    const tokenA = await app.token("contoso", PartnerRole.SALES_AGENT);
    const tokenB = await app.token("adatum", PartnerRole.GLOBAL_ADMIN);
    const watcher = await sideConnection(app);
    const lock = await holdLock(app, "audit_record", "EXCLUSIVE");
    let heavy: ReturnType<typeof concurrently> | null = null;
    let starved: Answer;
    try {
      heavy = concurrently(3, () => post(app, tokenA, CUSTOMER_CREATE, { input: customerInput() }));
      await until(async () => (await lockWaiters(watcher)) === 3, "A holding all 3 connections");
      starved = await post(app, tokenB, LIGHT);
    } finally {
      await lock.release();
      await watcher.end();
    }
    expect(starved.status).toBe(503);
    expect(codesOf(starved)).toContain("SERVICE_UNAVAILABLE");
    expect(starved.json.errors[0].message).toMatch(/retry shortly/);
    expect(starved.text).not.toMatch(/timeout exceeded|SELECT/i);
    expect((await heavy.all).map((x) => x.status)).toEqual([200, 200, 200]);
    expect((await post(app, tokenB, LIGHT)).status).toBe(200);
  });
});
