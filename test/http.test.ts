import * as jose from "jose";
import { userId } from "../src/db/seed/demo-data";
import { REQUEST_ACCEPT } from "./support/fixtures";
import { PartnerRole, TestApp, TEST_JWT_SECRET, partnerId } from "./support/harness";

/** What crosses the wire: status codes, headers and error shapes against the listening server. */
let app: TestApp;
let base: string;
let token: string;

beforeAll(async () => {
  app = await TestApp.start({ env: { LIMIT_DEPTH: "10", LIMIT_ALIASES: "30", LIMIT_TOKENS: "5000", LIMIT_COST: "50000", BODY_LIMIT_BYTES: "20000" } });
  base = await app.url();
  token = await app.token("contoso", PartnerRole.GLOBAL_ADMIN);
});
afterAll(() => app?.close());

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = { raw: text };
  }
  return { status: response.status, headers: response.headers, json };
}

const sign = (claims: Record<string, unknown>, options: { secret?: string; issuer?: string; audience?: string; expires?: string } = {}) =>
  new jose.SignJWT({ pid: partnerId("contoso"), roles: ["GLOBAL_ADMIN"], ...claims })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId("contoso", PartnerRole.GLOBAL_ADMIN)) // a real user: each case is refused for its own defect only
    .setIssuer(options.issuer ?? "partner-accounts-graphql")
    .setAudience(options.audience ?? "partner-accounts-graphql")
    .setIssuedAt()
    .setExpirationTime(options.expires ?? "1h")
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));

describe("authentication", () => {
  it("answers 401 UNAUTHENTICATED without a token", async () => {
    const response = await post({ query: "{ customers { totalCount } }" }, { authorization: "" });
    expect(response.status).toBe(401);
    expect(response.json.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(response.json.data).toBeUndefined();
  });

  it.each([
    ["a garbage token", async () => "abc.def.ghi"],
    ["a token signed with another key", () => sign({}, { secret: "another-secret-another-secret-123" })],
    ["an expired token", () => sign({}, { expires: "-1m" })],
    ["a token for another audience", () => sign({}, { audience: "someone-else" })],
    ["a token from another issuer", () => sign({}, { issuer: "someone-else" })],
    ["a token with an unknown role", () => sign({ roles: ["SUPER_USER"] })],
    ["an alg:none token", async () => `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify({ sub: "x", pid: partnerId("contoso"), roles: ["GLOBAL_ADMIN"], iss: "partner-accounts-graphql", aud: "partner-accounts-graphql", exp: 9999999999 })).toString("base64url")}.`],
    ["a Basic authorization header", async () => "\0basic"],
  ])("answers 401 for %s", async (_label, make) => {
    const value = await make();
    const response = await post({ query: "{ viewer { user { id } } }" }, { authorization: value === "\0basic" ? "Basic dXNlcjpwYXNz" : `Bearer ${value}` });
    expect(response.status).toBe(401);
    expect(response.json.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(JSON.stringify(response.json)).not.toMatch(/stacktrace|at .*\.ts:/);
  });

  it("accepts a valid token and delivers data with a request id and the cost", async () => {
    const response = await post({ query: "{ viewer { partner { mpnId } } }" }, { "x-request-id": "req-123" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("req-123");
    expect(response.json.data.viewer.partner.mpnId).toBe("1000001");
    expect(response.json.extensions.cost).toEqual({ requested: expect.any(Number), actual: expect.any(Number), limit: 50000, remaining: expect.any(Number) });
  });

  it("gives a call without a token the four cost numbers too: the anonymous limit and what is left of this address's budget", async () => {
    const accept = async () => {
      const response = await fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: REQUEST_ACCEPT, variables: { input: { invitationToken: "made-up", customerTenantId: "00000000-0000-4000-8000-000000000000" } } }) });
      return { status: response.status, json: (await response.json()) as any };
    };
    const first = await accept();
    expect(first.status).toBe(200);
    expect(first.json.data.relationshipRequestAccept.userErrors[0].code).toBe("INVITATION_NOT_VALID");
    const cost = first.json.extensions.cost;
    expect(cost).toEqual({ requested: expect.any(Number), actual: expect.any(Number), limit: app.config.anonymousLimits.cost, remaining: expect.any(Number) });
    expect(cost.actual).toBeGreaterThan(0);
    expect(cost.actual).toBeLessThanOrEqual(cost.requested);
    // each call without a token takes one request from the address's budget (ANONYMOUS_RATE_LIMIT_PER_MINUTE, refilled per second)
    expect(cost.remaining).toBeLessThan(app.config.rateLimit.anonymousPerMinute);
    expect(cost.remaining).toBeGreaterThanOrEqual(0);
    const second = (await accept()).json.extensions.cost;
    expect(second.remaining).toBeLessThanOrEqual(cost.remaining);
    expect(second.limit).toBe(app.config.anonymousLimits.cost);
  });
});

describe("request errors", () => {
  it("answers 400 BAD_REQUEST for malformed JSON", async () => {
    const response = await post("{ not json");
    expect(response.status).toBe(400);
    expect(response.json.errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("answers 400 BAD_REQUEST for a batched (array) body", async () => {
    const response = await post([{ query: "{ viewer { user { id } } }" }, { query: "{ viewer { user { id } } }" }]);
    expect(response.status).toBe(400);
    expect(response.json.errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("answers 413 for a body over the size limit", async () => {
    const response = await post({ query: `{ viewer { user { id } } }`, variables: { pad: "x".repeat(30000) } });
    expect(response.status).toBe(413);
    expect(response.json.errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("answers 400 GRAPHQL_PARSE_FAILED for an unparsable document", async () => {
    const response = await post({ query: "{ viewer { " });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].extensions.code).toBe("GRAPHQL_PARSE_FAILED");
  });

  it("answers 400 GRAPHQL_VALIDATION_FAILED for an unknown field, without suggestions outside development", async () => {
    const response = await post({ query: "{ customerz { totalCount } }" });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(response.json.errors[0].message).not.toMatch(/Did you mean/);
  });

  it("answers 200 with BAD_USER_INPUT on the field for first: 501", async () => {
    const response = await post({ query: "{ viewer { user { id } } customers(first: 501) { totalCount } }" });
    expect(response.status).toBe(200);
    expect(response.json.data.viewer.user.id).toEqual(expect.any(String));
    expect(response.json.errors).toEqual([expect.objectContaining({ path: ["customers"], extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) })]);
  });

  it("answers 200 with FORBIDDEN on the denied field and the rest of the data", async () => {
    const helpdesk = await app.token("contoso", PartnerRole.HELPDESK_AGENT);
    const response = await post({ query: "{ customers(first: 1) { nodes { companyName billingProfile { email } } } }" }, { authorization: `Bearer ${helpdesk}` });
    expect(response.status).toBe(200);
    expect(response.json.data.customers.nodes[0].companyName).toEqual(expect.any(String));
    expect(response.json.data.customers.nodes[0].billingProfile).toBeNull();
    expect(response.json.errors).toEqual([expect.objectContaining({ path: ["customers", "nodes", 0, "billingProfile"], extensions: { code: "FORBIDDEN" } })]);
  });

  it("keeps CSRF prevention on: a simple-content-type POST is refused", async () => {
    const response = await fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "text/plain", authorization: `Bearer ${token}` }, body: '{"query":"{ viewer { user { id } } }"}' });
    expect(response.status).toBe(400);
  });

  it("answers queries over GET and refuses mutations over GET", async () => {
    const query = encodeURIComponent("{ viewer { partner { mpnId } } }");
    const ok = await fetch(`${base}/graphql?query=${query}`, { headers: { authorization: `Bearer ${token}`, "apollo-require-preflight": "1" } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).data.viewer.partner.mpnId).toBe("1000001");
    const mutation = encodeURIComponent('mutation { subscriptionSuspend(input: { id: "x" }) { userErrors { code } } }');
    const refused = await fetch(`${base}/graphql?query=${mutation}`, { headers: { authorization: `Bearer ${token}`, "apollo-require-preflight": "1" } });
    expect(refused.status).toBe(405);
  });
});

describe("query limits", () => {
  it.each([
    ["DEPTH", `{ auditRecords(first: 1) { nodes { customer { subscriptions(first: 1) { nodes { id } } auditRecords(first: 1) { nodes { customer { auditRecords(first: 1) { nodes { customer { auditRecords(first: 1) { nodes { customer { id } } } } } } } } } } } } }`, 10],
    ["ALIASES", `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: viewer { user { id } }`).join(" ")} }`, 30],
    ["COST", `{ customers(first: 500) { nodes { subscriptions(first: 500) { nodes { id kind } } } } }`, 50000],
  ])("answers 400 QUERY_TOO_COMPLEX (%s) with the limit and the measured value", async (kind, query, limit) => {
    const response = await post({ query });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].extensions).toEqual({ code: "QUERY_TOO_COMPLEX", kind, limit, actual: expect.any(Number) });
    expect(response.json.errors[0].extensions.actual).toBeGreaterThan(limit);
  });

  it("counts tokens and directives too", async () => {
    const tokens = await post({ query: `{ viewer { user { ${"id ".repeat(5000)} } } }` });
    expect(tokens.status).toBe(400);
    expect(tokens.json.errors[0].extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX", kind: "TOKENS", limit: 5000 });
    const directives = await post({ query: `{ viewer { user { ${"id @include(if: true) ".repeat(51)} } } }` });
    expect(directives.status).toBe(400);
    expect(directives.json.errors[0].extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX", kind: "DIRECTIVES", limit: 50, actual: 51 });
  });
});

describe("service endpoints", () => {
  it("answers /healthz and /readyz", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("serves Prometheus metrics without a token", async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^http_requests_total\{status="200"\} \d+$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
  });
});

describe("unexpected errors", () => {
  it("are masked: 500 INTERNAL_SERVER_ERROR with a request id, no message or stack from inside", async () => {
    await app.sql("ALTER TABLE customer_domain RENAME TO customer_domain_gone");
    try {
      const response = await post({ query: "{ customers(first: 1) { nodes { domains } } }" });
      expect(response.status).toBe(500);
      const error = response.json.errors[0];
      expect(error.message).toBe("Internal server error.");
      expect(error.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR", requestId: response.headers.get("x-request-id") });
      expect(JSON.stringify(response.json)).not.toMatch(/customer_domain|relation|stack/i);
    } finally {
      await app.sql("ALTER TABLE customer_domain_gone RENAME TO customer_domain");
    }
  });
});

describe("database unavailable", () => {
  it("answers 503 SERVICE_UNAVAILABLE while no connection can be had, and recovers by itself", async () => {
    await app.cutOffDatabase();
    try {
      const down = await post({ query: "{ customers(first: 1) { totalCount } }" });
      expect(down.status).toBe(503);
      expect(down.json.errors[0].extensions).toEqual({ code: "SERVICE_UNAVAILABLE", requestId: expect.any(String) });
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
    } finally {
      await app.restoreDatabase();
    }
    const up = await post({ query: "{ customers(first: 1) { totalCount } }" });
    expect(up.status).toBe(200);
    expect(up.json.data.customers.totalCount).toBeGreaterThan(0);
  });
});
