import http from "node:http";
import type { AddressInfo } from "node:net";
import { PartnerRole, partnerId, TestApp } from "./support/harness";

/** OpenTelemetry traces sent over OTLP/HTTP (JSON) to a real local receiver. */

/**
 * The exporter loads `http` with a native dynamic `import()`, which jest's module sandbox refuses without
 * --experimental-vm-modules (plain node, as `npm start` runs it, has no such limit). Only that loading is replaced
 * here, by a `require`: the exporter's serialization, batching and its real HTTP POST (sendWithHttp) are unchanged.
 */
jest.mock("../node_modules/@opentelemetry/otlp-exporter-base/build/src/transport/http-exporter-transport", () => {
  const utils = jest.requireActual("../node_modules/@opentelemetry/otlp-exporter-base/build/src/transport/http-transport-utils");
  const nodeHttp = jest.requireActual<typeof import("node:http")>("node:http");
  return {
    createHttpExporterTransport: (parameters: { url: string; headers: () => Promise<Record<string, string>>; compression: string; userAgent?: string }) => {
      const agent = new nodeHttp.Agent({ keepAlive: true });
      return {
        send: async (data: Uint8Array, timeoutMillis: number) => utils.sendWithHttp(nodeHttp.request, parameters.url, await parameters.headers(), parameters.compression, parameters.userAgent, agent, data, timeoutMillis),
        shutdown: () => agent.destroy(),
      };
    },
  };
});

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code?: number; message?: string };
}

/** What the receiver got: each request's path and content type, and every span. */
const requests: { path: string; contentType: string | undefined }[] = [];
const spans: OtlpSpan[] = [];
const resources: Record<string, unknown>[] = [];

let receiver: http.Server;
let app: TestApp;
let base: string;
let token: string;

const value = (v: OtlpValue | undefined): unknown => (v?.arrayValue ? v.arrayValue.values.map(value) : (v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : undefined)));
const attributes = (span: OtlpSpan) => Object.fromEntries(span.attributes.map((a) => [a.key, value(a.value)]));

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ path: req.url ?? "", contentType: req.headers["content-type"] });
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { resourceSpans: { resource: { attributes: OtlpSpan["attributes"] }; scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of body.resourceSpans) {
        resources.push(Object.fromEntries(rs.resource.attributes.map((a) => [a.key, value(a.value)])));
        for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;
  // the base endpoint: the exporter posts to <endpoint>/v1/traces
  app = await TestApp.start({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: "pag-tracing-test" } });
  base = await app.url();
  token = await app.token("contoso", PartnerRole.GLOBAL_ADMIN);
});
afterAll(async () => {
  await app?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}

/** The operation span of one request (by its request id) and its children, once flushed to the receiver. */
async function traced(requestId: string): Promise<{ operation: OtlpSpan; statements: OtlpSpan[] }> {
  await app.app.tracing!.flush();
  const operations = spans.filter((s) => attributes(s)["request.id"] === requestId);
  expect(operations).toHaveLength(1);
  const operation = operations[0]!;
  return { operation, statements: spans.filter((s) => s.parentSpanId === operation.spanId) };
}

describe("with an OTLP endpoint", () => {
  it("creates the exporter, which posts JSON to <endpoint>/v1/traces", async () => {
    expect(app.app.tracing).not.toBeNull();
    const response = await post({ query: "query Warmup { viewer { user { id } } }" });
    expect(response.status).toBe(200);
    await app.app.tracing!.flush();
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) expect(r).toEqual({ path: "/v1/traces", contentType: "application/json" });
    expect(resources[0]).toMatchObject({ "service.name": "pag-tracing-test", "service.version": expect.any(String) });
  });

  it("sends one span per operation with its name and type, and one child span per SQL statement with its text", async () => {
    // referrals: one planned statement (the read planner); viewer: TypeORM's loaders
    const query = `query TracedReads {
      referrals(first: 3) { nodes { id name status } }
      viewer { user { email } partner { name } }
    }`;
    const response = await post({ query }, { "x-request-id": "trace-me-1" });
    expect(response.status).toBe(200);
    expect(response.json.errors).toBeUndefined();
    const { operation, statements } = await traced("trace-me-1");
    expect(operation.name).toBe("query TracedReads");
    expect(operation.kind).toBe(2); // SERVER
    expect(attributes(operation)).toMatchObject({ "graphql.operation.name": "TracedReads", "graphql.operation.type": "query", "http.response.status_code": 200, "http.request.method": "POST" });
    expect(operation.status?.code ?? 0).not.toBe(2);
    // every statement the request ran (as counted for x-sql-statements) has its span, under the operation's
    expect(statements.length).toBe(Number(response.headers.get("x-sql-statements")));
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      expect(s.traceId).toBe(operation.traceId);
      expect(s.kind).toBe(3); // CLIENT
      const a = attributes(s);
      expect(a["db.system"]).toBe("postgresql");
      expect(typeof a["db.statement"]).toBe("string");
      expect(s.name).toBe(String(a["db.statement"]).trim().split(/\s/)[0]!.toUpperCase());
      // the text only: the partner id (the first parameter of every read) is not in it
      expect(a["db.statement"]).not.toContain(partnerId("contoso"));
    }
    expect(statements.some((s) => /\$1/.test(String(attributes(s)["db.statement"])))).toBe(true);
  });

  it("gives TypeORM's statements (a mutation's) spans too", async () => {
    const response = await post(
      { query: `mutation TracedProfile($input: BusinessProfileUpdateInput!) { businessProfileUpdate(input: $input) { userErrors { code } } }`, variables: { input: { description: "Traced description" } } },
      { "x-request-id": "trace-me-2", authorization: `Bearer ${await app.token("contoso", PartnerRole.BUSINESS_PROFILE_ADMIN)}` },
    );
    expect(response.json.data.businessProfileUpdate.userErrors).toEqual([]);
    expect(response.status).toBe(200);
    const { operation, statements } = await traced("trace-me-2");
    expect(operation.name).toBe("mutation TracedProfile");
    expect(statements.length).toBe(Number(response.headers.get("x-sql-statements")));
    const texts = statements.map((s) => String(attributes(s)["db.statement"]));
    expect(texts.some((t) => /^(UPDATE|INSERT)/i.test(t.trim()))).toBe(true);
    expect(texts.join("\n")).not.toContain("Traced description");
  });

  it("marks an operation with errors: status ERROR and the codes", async () => {
    const response = await post({ query: "query TooMany { customers(first: 501) { totalCount } }" }, { "x-request-id": "trace-me-3" });
    expect(response.json.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    const { operation } = await traced("trace-me-3");
    expect(operation.status).toMatchObject({ code: 2, message: "BAD_USER_INPUT" });
    expect(attributes(operation)["graphql.error.codes"]).toEqual(["BAD_USER_INPUT"]);
  });

  it("joins the caller's trace when a valid traceparent is sent", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parent = "00f067aa0ba902b7";
    await post({ query: "query Joined { viewer { user { id } } }" }, { "x-request-id": "trace-me-4", traceparent: `00-${traceId}-${parent}-01` });
    const { operation } = await traced("trace-me-4");
    expect(operation.traceId).toBe(traceId);
    expect(operation.parentSpanId).toBe(parent);
  });

  it("starts no span for requests that are not GraphQL operations", async () => {
    await app.app.tracing!.flush();
    const before = spans.length;
    await fetch(`${base}/healthz`);
    await fetch(`${base}/metrics`);
    await app.app.tracing!.flush();
    expect(spans.length).toBe(before);
  });
});
