import { setTimeout as sleep } from "node:timers/promises";
import { DataSource } from "typeorm";
import { createLogger, logFormatFor, loggerFor } from "../src/server/logger";
import { Metrics } from "../src/server/metrics";
import { MAX_REQUEST_ID_LENGTH, requestIdFrom } from "../src/server/observability";
import { PartnerRole, TestApp } from "./support/harness";

/** Request ids, log lines, /metrics: what an operator reads, against the listening server. */

type LogLine = Record<string, any> & { msg: string };

/** Every JSON line the app's logger writes (a pino destination). */
const lines: LogLine[] = [];
const capture = { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) };

let app: TestApp;
let base: string;
let token: string;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  app = await TestApp.start({ log: loggerFor({ logLevel: "debug", logFormat: undefined, env: "test" }, capture) });
  base = await app.url();
  token = await app.token("contoso", PartnerRole.GLOBAL_ADMIN);
});
afterAll(() => app?.close());

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}

/** A resolver that fails inside (a table gone): 500 INTERNAL_SERVER_ERROR with the request id. */
async function withBrokenTable<T>(fn: () => Promise<T>): Promise<T> {
  await app.sql("ALTER TABLE customer_domain RENAME TO customer_domain_gone");
  try {
    return await fn();
  } finally {
    await app.sql("ALTER TABLE customer_domain_gone RENAME TO customer_domain");
  }
}
const BROKEN = { query: "query Broken { customers(first: 1) { nodes { domains } } }" };

/** The access-log line of a request is written when its response finished: wait until it is there. */
async function accessLine(requestId: string): Promise<LogLine> {
  for (let i = 0; i < 200; i++) {
    const line = lines.find((l) => l.requestId === requestId && l.msg === "request finished");
    if (line) return line;
    await sleep(10);
  }
  throw new Error(`no access-log line for ${requestId}`);
}

async function scrape(): Promise<string> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("request ids", () => {
  it("are generated when the caller sends none, one per response, on every kind of response", async () => {
    const responses = await Promise.all([
      fetch(`${base}/healthz`),
      fetch(`${base}/metrics`),
      fetch(`${base}/no-such-page`),
      fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" }),
      fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query: "{ viewer { user { id } } }" }) }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 404, 400, 200]);
    const ids = responses.map((r) => r.headers.get("x-request-id"));
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("are taken from a caller's valid x-request-id, echoed, and used as the requestId of a masked error", async () => {
    const given = "partner-app.7f3a:retry/2";
    const response = await withBrokenTable(() => post(BROKEN, { "x-request-id": given }));
    expect(response.status).toBe(500);
    expect(response.headers.get("x-request-id")).toBe(given);
    expect(response.json.errors[0].extensions).toEqual({ code: "INTERNAL_SERVER_ERROR", requestId: given });
  });

  it("of 128 characters are accepted", async () => {
    const given = "x".repeat(MAX_REQUEST_ID_LENGTH);
    const response = await post({ query: "{ viewer { user { id } } }" }, { "x-request-id": given });
    expect(response.headers.get("x-request-id")).toBe(given);
  });

  it.each([
    ["longer than 128 characters", "y".repeat(MAX_REQUEST_ID_LENGTH + 1)],
    ["with a tab", "bad\tid"],
    ["with a character outside ASCII", "caf\u00e9"],
  ])("are replaced by a new one when the caller's is %s, in the header and in the error", async (_label, given) => {
    const response = await withBrokenTable(() => post(BROKEN, { "x-request-id": given }));
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(UUID);
    expect(response.json.errors[0].extensions.requestId).toBe(id);
  });

  it("are validated: printable ASCII of 1 to 128 characters, else a new UUID", () => {
    expect(requestIdFrom("abc-123")).toBe("abc-123");
    expect(requestIdFrom("01J9Z3K4QX:b64+/=")).toBe("01J9Z3K4QX:b64+/=");
    for (const bad of [undefined, "", " ", "a b", "x] 12:00:01 ERROR: forged [y", '{"a":1}', "a\u0000b", "a\nb", "\u007f", "z".repeat(129), "日本"]) expect(requestIdFrom(bad)).toMatch(UUID);
  });
});

describe("log lines", () => {
  it("of one request all carry its request id: the operation, the error and the access line", async () => {
    const mark = lines.length;
    const given = "log-check-1";
    const response = await withBrokenTable(() => post(BROKEN, { "x-request-id": given }));
    expect(response.status).toBe(500);
    const access = await accessLine(given);
    const during = lines.slice(mark);
    const mine = during.filter((l) => l.requestId === given);
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(["operation resolved", "unexpected error", "request finished"]));
    // no line written meanwhile lacks a request id (nothing else runs in this process: the ALTER TABLEs log nothing)
    expect(during.filter((l) => typeof l.requestId !== "string")).toEqual([]);
    expect(access).toMatchObject({ method: "POST", path: "/graphql", status: 500, operation: "Broken", type: "query", errors: ["INTERNAL_SERVER_ERROR"], level: 40 });
    expect(access.sql).toBeGreaterThan(0);
    expect(mine.find((l) => l.msg === "unexpected error")!.err.message).toMatch(/customer_domain/);
  });

  it("of requests the HTTP layer refuses carry the id too, with the code", async () => {
    const given = "log-check-401";
    const response = await post({ query: "{ customers { totalCount } }" }, { authorization: "", "x-request-id": given });
    expect(response.status).toBe(401);
    expect(await accessLine(given)).toMatchObject({ status: 401, errors: ["UNAUTHENTICATED"] });
  });

  it("are JSON outside development, pretty in development on stdout, and LOG_FORMAT decides when set", () => {
    expect(logFormatFor({ env: "production" })).toBe("json");
    expect(logFormatFor({ env: "test" })).toBe("json");
    expect(logFormatFor({ env: "development" })).toBe("pretty");
    expect(logFormatFor({ env: "development", destination: capture })).toBe("json");
    expect(logFormatFor({ env: "development", format: "json" })).toBe("json");
    expect(logFormatFor({ env: "production", format: "pretty" })).toBe("pretty");
  });

  it("in the pretty format are one readable line each, with the request id before the message", () => {
    const written: string[] = [];
    const log = createLogger({ level: "info", format: "pretty", destination: { write: (s: string) => void written.push(s) } });
    log.child({ requestId: "req-pretty-1" }).info({ status: 200 }, "request finished");
    log.info("no request here");
    // written synchronously: nothing waits in a buffer when the process exits
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[req-pretty-1\] request finished \{"status":200\}\n$/);
    expect(written[1]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: no request here\n$/);
  });
});

describe("/metrics", () => {
  it("has the latency histogram of a named operation after it ran, and 'anonymous' for one without a name", async () => {
    const before = await scrape();
    const count = `graphql_operation_duration_seconds_count{operation="MetricsViewer",type="query"}`;
    expect(sample(before, count)).toBeUndefined();
    expect((await post({ query: "query MetricsViewer { viewer { user { id } } }" })).status).toBe(200);
    expect((await post({ query: "query MetricsViewer { viewer { user { id } } }" })).status).toBe(200);
    expect((await post({ query: "{ viewer { partner { id } } }" })).status).toBe(200);
    const after = await scrape();
    expect(after).toContain("# TYPE graphql_operation_duration_seconds histogram");
    expect(sample(after, count)).toBe(2);
    expect(sample(after, `graphql_operation_duration_seconds_bucket{operation="MetricsViewer",type="query",le="+Inf"}`)).toBe(2);
    const buckets = after.split("\n").filter((l) => l.startsWith(`graphql_operation_duration_seconds_bucket{operation="MetricsViewer",type="query",`)).map((l) => Number(l.split(" ")[1]));
    expect(buckets.length).toBe(12);
    expect([...buckets].sort((a, b) => a - b)).toEqual(buckets); // cumulative
    expect(sample(after, `graphql_operation_duration_seconds_sum{operation="MetricsViewer",type="query"}`)).toBeGreaterThan(0);
    expect(sample(after, `graphql_operation_duration_seconds_count{operation="anonymous",type="query"}`)).toBeGreaterThanOrEqual(1);
  });

  it("counts errors by code: Apollo's, the resolvers' and the HTTP layer's refusals", async () => {
    const count = (text: string, code: string) => sample(text, `graphql_errors_total{code="${code}"}`) ?? 0;
    const before = await scrape();
    expect((await post({ query: "{ viewer { nope } }" })).status).toBe(400);
    expect((await post({ query: "{ customers { totalCount } }" }, { authorization: "" })).status).toBe(401);
    expect((await post({ query: "{ customers(first: 501) { totalCount } }" })).json.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    const after = await scrape();
    expect(count(after, "GRAPHQL_VALIDATION_FAILED") - count(before, "GRAPHQL_VALIDATION_FAILED")).toBe(1);
    expect(count(after, "UNAUTHENTICATED") - count(before, "UNAUTHENTICATED")).toBe(1);
    expect(count(after, "BAD_USER_INPUT") - count(before, "BAD_USER_INPUT")).toBe(1);
  });

  it("shows the database pool's connections and its size", async () => {
    await post({ query: "{ customers(first: 5) { totalCount nodes { id } } }" });
    const text = await scrape();
    const total = sample(text, `db_pool_connections{pool="primary",state="total"}`)!;
    const idle = sample(text, `db_pool_connections{pool="primary",state="idle"}`)!;
    expect(total).toBeGreaterThanOrEqual(1);
    expect(idle).toBeGreaterThanOrEqual(0);
    expect(idle).toBeLessThanOrEqual(total);
    expect(sample(text, `db_pool_connections{pool="primary",state="waiting"}`)).toBe(0);
    expect(sample(text, `db_pool_max_connections{pool="primary"}`)).toBe(app.config.poolSize);
  });

  it("shows the event-loop delay: a blocked loop shows up as the longest delay since the previous scrape", async () => {
    await scrape(); // starts a new window
    await sleep(30); // the sampler's first tick after a reset only marks the time
    const until = Date.now() + 120;
    while (Date.now() < until); // block the loop for 120 ms
    await sleep(30);
    const text = await scrape();
    for (const figure of ["min", "max", "mean", "stddev", "p50", "p90", "p99"]) {
      expect(text).toContain(`# TYPE nodejs_eventloop_lag_${figure}_seconds gauge`);
      expect(sample(text, `nodejs_eventloop_lag_${figure}_seconds`)).toBeGreaterThanOrEqual(0);
    }
    expect(sample(text, "nodejs_eventloop_lag_max_seconds")).toBeGreaterThanOrEqual(0.05);
    expect(sample(text, "nodejs_eventloop_lag_max_seconds")!).toBeGreaterThanOrEqual(sample(text, "nodejs_eventloop_lag_p50_seconds")!);
  });
});

describe("operation labels", () => {
  it("are bounded: the first N distinct names, then 'other'", async () => {
    const metrics = new Metrics({ driver: {} } as unknown as DataSource, undefined, { maxOperationNames: 2 });
    try {
      for (const name of ["A", "B", "C", "A", "D", null]) metrics.observeOperation(name, "query", 0.003);
      metrics.observeOperation("E", "mutation", 0.2);
      const text = await metrics.render();
      const series = [...text.matchAll(/^graphql_operation_duration_seconds_count\{operation="([^"]*)",type="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], m[2], Number(m[3])]);
      expect(series).toEqual([
        ["A", "query", 2],
        ["B", "query", 1],
        ["other", "query", 2],
        ["anonymous", "query", 1],
        ["other", "mutation", 1],
      ]);
      expect(sample(text, `graphql_operation_duration_seconds_bucket{operation="A",type="query",le="0.005"}`)).toBe(2);
      expect(sample(text, `graphql_operation_duration_seconds_bucket{operation="other",type="mutation",le="0.1"}`)).toBe(0);
      expect(sample(text, `graphql_operation_duration_seconds_bucket{operation="other",type="mutation",le="0.25"}`)).toBe(1);
    } finally {
      metrics.stop();
    }
  });
});
