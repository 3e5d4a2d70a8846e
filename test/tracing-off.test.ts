import { loadConfig } from "../src/config";
import { statementForSpan } from "../src/server/tracing";
import { PartnerRole, TestApp } from "./support/harness";

/** Without an OTLP endpoint tracing costs nothing: no OpenTelemetry module is even loaded. */

/** Each factory runs only when its module is first required: the names here are the modules that were loaded. */
const mockLoaded: string[] = [];
jest.mock("@opentelemetry/api", () => (mockLoaded.push("api"), jest.requireActual("@opentelemetry/api")));
jest.mock("@opentelemetry/sdk-trace-base", () => (mockLoaded.push("sdk-trace-base"), jest.requireActual("@opentelemetry/sdk-trace-base")));
jest.mock("@opentelemetry/resources", () => (mockLoaded.push("resources"), jest.requireActual("@opentelemetry/resources")));
jest.mock("@opentelemetry/exporter-trace-otlp-http", () => (mockLoaded.push("exporter-trace-otlp-http"), jest.requireActual("@opentelemetry/exporter-trace-otlp-http")));

let app: TestApp;

beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());

it("creates no exporter and loads no OpenTelemetry module when no endpoint is configured", async () => {
  expect(app.config.tracing.tracesUrl).toBeUndefined();
  expect(app.app.tracing).toBeNull();
  const base = await app.url();
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${await app.token("contoso", PartnerRole.GLOBAL_ADMIN)}` },
    body: JSON.stringify({ query: "query Untraced { viewer { user { id } } referrals(first: 2) { nodes { id } } }" }),
  });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
  expect(Number(response.headers.get("x-sql-statements"))).toBeGreaterThan(0);
  // no statement subscriber either: TypeORM's query events have no listener of ours
  expect(app.database.dataSource.subscribers).toEqual([]);
  expect(mockLoaded).toEqual([]);
});

it("reads the endpoint from the OpenTelemetry variables", () => {
  expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }).tracing.tracesUrl).toBe("http://collector:4318/v1/traces");
  expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://traces:9999/custom" }).tracing.tracesUrl).toBe("http://traces:9999/custom");
  expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" }).tracing.tracesUrl).toBeUndefined();
  expect(loadConfig({}).tracing).toEqual({ tracesUrl: undefined, serviceName: "partner-accounts-graphql" });
  expect(loadConfig({ OTEL_SERVICE_NAME: "pag-eu" }).tracing.serviceName).toBe("pag-eu");
});

it("keeps values out of a span's statement text: a page's literal partner ids become placeholders", async () => {
  const id = "473cb103-444c-52af-8559-55bbe0fb2a3d";
  const text = `SELECT 1 FROM customer_relationship rel WHERE rel.partner_id = '${id}'::uuid AND rel.partner_id = ANY('{${id},${id}}'::uuid[]) AND rel.status = $2`;
  expect(statementForSpan(text)).toBe("SELECT 1 FROM customer_relationship rel WHERE rel.partner_id = ?::uuid AND rel.partner_id = ANY(?::uuid[]) AND rel.status = $2");
  expect(statementForSpan("x".repeat(9000))).toHaveLength(8192);
  // the module itself loads none of the SDK
  expect(mockLoaded).toEqual([]);
});
