import http from "node:http";
import { customerCreateInput, WORKLOAD_A, WORKLOAD_B, WORKLOAD_D_CREATE } from "../bench/workloads";
import { CustomerService } from "../src/modules/customers/customer.service";
import { PartnerRole, TestApp } from "./support/harness";

/**
 * The fast lane answers a compiled query without Apollo's request pipeline. Over HTTP, with the same database,
 * every request gets the same answer from a server with the lane and one without it (FAST_LANE=off): status,
 * content type, Retry-After and statement headers, and body (errors, partial data, cost extension), the request
 * id aside. Each request is sent three times: parsed and validated, then compiled, then (on the lane) answered
 * by it; requests the lane does not take still get Apollo's answer.
 */
let lane: TestApp;
let apollo: TestApp;

// budgets refill (almost) not at all, so that both servers report the same points remaining after the same requests;
// one operation at a time per partner and no queue, so that a held operation makes the next one refused
const ENV = { RATE_LIMIT_REFILL_PER_SECOND: "0.001", PARTNER_CONCURRENCY: "1", PARTNER_QUEUE_LIMIT: "0" };

const original = CustomerService.prototype.domainAvailability;
/** Resolves the held domainAvailability("hold.example") calls. */
let releaseHeld: () => void = () => {};

beforeAll(async () => {
  lane = await TestApp.start({ env: ENV });
  apollo = await TestApp.start({ databaseUrl: lane.config.databaseUrl, seed: false, env: { ...ENV, FAST_LANE: "off" } });
  // a resolver that throws a plain Error, one that times out, one that holds its partner's only slot
  CustomerService.prototype.domainAvailability = async function (this: CustomerService, domain: string) {
    if (domain === "boom.example") throw new Error("boom: a plain error");
    if (domain === "timeout.example") throw Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" });
    if (domain === "hold.example") await new Promise<void>((resolve) => (releaseHeld = resolve));
    return original.call(this, domain);
  };
});
afterAll(async () => {
  CustomerService.prototype.domainAvailability = original;
  await apollo?.close();
  await lane?.close();
});

interface Answer {
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  statements: string | null;
  body: unknown;
}

/** Request ids differ per request: compared as present. */
function withoutRequestIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRequestIds);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "requestId" ? typeof v : withoutRequestIds(v)]));
  }
  return value;
}

/** Headers that differ per response whoever answers. */
const PER_RESPONSE = new Set(["date", "x-request-id", "keep-alive", "connection"]);

/** A POST through node's http client, which sends no Accept unless given one (fetch always sends one). */
function post(app: TestApp, token: string | null, body: unknown, headers: Record<string, string> = {}): Promise<Answer & { headers: Record<string, unknown> }> {
  return app.url().then(
    (base) =>
      new Promise((resolve, reject) => {
        const payload = typeof body === "string" ? body : JSON.stringify(body);
        const request = http.request(`${base}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        });
        request.on("error", reject);
        request.on("response", (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () => {
            const all = Object.fromEntries(Object.entries(response.headers).filter(([name]) => !PER_RESPONSE.has(name)));
            let parsed: unknown = text;
            try {
              parsed = withoutRequestIds(JSON.parse(text));
            } catch {
              // not JSON: compared as text
            }
            resolve({
              status: response.statusCode!,
              contentType: (response.headers["content-type"] as string | undefined) ?? null,
              retryAfter: (response.headers["retry-after"] as string | undefined) ?? null,
              statements: (response.headers["x-sql-statements"] as string | undefined) ?? null,
              headers: all,
              body: parsed,
            });
          });
        });
        request.end(payload);
      }),
  );
}

/** The third answer of each server, and how many of the lane server's it answered itself. */
async function compare(roles: PartnerRole[], body: unknown, headers: Record<string, string> = {}) {
  const token = await lane.token("contoso", ...roles);
  const served = lane.app.fastLane!.served;
  const answers: Answer[][] = [[], []];
  for (let i = 0; i < 3; i++) {
    answers[0]!.push(await post(lane, token, body, headers));
    answers[1]!.push(await post(apollo, token, body, headers));
  }
  expect(answers[0]).toEqual(answers[1]); // headers included (all but date, request id and connection)
  return { answer: answers[0]![2]!, laned: lane.app.fastLane!.served - served };
}

const GA = [PartnerRole.GLOBAL_ADMIN];

describe("the fast lane answers as Apollo does", () => {
  it("workload (a) and (b): the third request takes the lane, with the same body, headers and cost", async () => {
    const a = await compare([PartnerRole.GLOBAL_ADMIN, PartnerRole.ADMIN_AGENT], { query: WORKLOAD_A, variables: { first: 5 } });
    expect(a.laned).toBe(1);
    expect(a.answer.status).toBe(200);
    expect(a.answer.contentType).toBe("application/json; charset=utf-8");
    expect(a.answer.statements).toBe("1");
    expect((a.answer.body as any).data.customers.nodes).toHaveLength(5);
    expect((a.answer.body as any).extensions.cost.actual).toBeGreaterThan(5);

    const id = (a.answer.body as any).data.customers.nodes[0].id;
    const b = await compare([PartnerRole.GLOBAL_ADMIN, PartnerRole.ADMIN_AGENT], { query: WORKLOAD_B, variables: { id }, operationName: "WorkloadB" });
    expect(b.laned).toBe(1);
    expect((b.answer.body as any).data.customer.id).toBe(id);
  });

  it("partial data with FORBIDDEN errors (a Helpdesk agent and billing profiles)", async () => {
    const { answer, laned } = await compare([PartnerRole.HELPDESK_AGENT], { query: `{ customers(first: 2) { nodes { id companyName billingProfile { email } } } }` });
    expect(laned).toBe(1);
    const body = answer.body as any;
    expect(body.data.customers.nodes[0].billingProfile).toBeNull();
    expect(body.errors.map((e: any) => e.extensions.code)).toEqual(["FORBIDDEN", "FORBIDDEN"]);
    expect(body.errors[0].path).toEqual(["customers", "nodes", 0, "billingProfile"]);
  });

  it("a document of two operations, each by its name", async () => {
    const query = `query Names { customers(first: 1) { nodes { companyName } } } query Ids { customers(first: 2) { nodes { id } } }`;
    const names = await compare(GA, { query, operationName: "Names" });
    const ids = await compare(GA, { query, operationName: "Ids" });
    expect([names.laned, ids.laned]).toEqual([1, 1]);
    expect((ids.answer.body as any).data.customers.nodes).toHaveLength(2);
  });

  it("refusals go on to Apollo: bad variables, a page over the limit", async () => {
    const query = `query Page($first: Int) { customers(first: $first) { nodes { id } } }`;
    await compare(GA, { query, variables: { first: 2 } }); // compiled
    const bad = await compare(GA, { query, variables: { first: "two" } });
    expect(bad.laned).toBe(0);
    expect(bad.answer.status).toBe(400);
    const tooLarge = await compare(GA, { query, variables: { first: 100_000 } });
    expect(tooLarge.laned).toBe(0);
    expect((tooLarge.answer.body as any).errors[0].extensions.code).toMatch(/BAD_USER_INPUT|QUERY_TOO_COMPLEX/);
  });

  it("variables graphql-jit does not coerce (an omitted field with a default) run on graphql-js, in the lane too", async () => {
    const query = `query Ordered($o: CustomerOrder) { customers(first: 2, orderBy: $o) { nodes { companyName } } }`;
    const fallbacks = lane.app.jitCache!.fallbacks;
    const ordered = await compare(GA, { query, variables: { o: { field: "COMPANY_NAME" } } });
    expect(ordered.laned).toBe(1);
    expect(lane.app.jitCache!.fallbacks - fallbacks).toBeGreaterThan(0);
    expect((ordered.answer.body as any).data.customers.nodes).toHaveLength(2);
  });

  it("with Accept: application/json and */* too", async () => {
    const query = `{ customers(first: 1) { nodes { id companyName } } }`;
    expect((await compare(GA, { query }, { accept: "application/json" })).laned).toBe(1);
    expect((await compare(GA, { query }, { accept: "*/*" })).laned).toBe(3); // compiled already: every one
  });

  it("errors as Apollo formats them: a masked plain error (500) beside delivered data, a statement timeout", async () => {
    const boom = await compare(GA, { query: `{ domainAvailability(domain: "boom.example") { available } customers(first: 1) { totalCount } }` });
    expect(boom.laned).toBe(1);
    expect(boom.answer.status).toBe(500);
    expect((boom.answer.body as any).errors[0].extensions).toEqual({ code: "INTERNAL_SERVER_ERROR", requestId: "string" });
    expect((boom.answer.body as any).data.customers.totalCount).toBeGreaterThan(0);
    const timeout = await compare(GA, { query: `{ domainAvailability(domain: "timeout.example") { available } }` });
    expect(timeout.laned).toBe(1);
    expect((timeout.answer.body as any).errors[0].extensions.code).toBe("STATEMENT_TIMEOUT");
  });

  it("an operation refused by its partner's concurrency lane: THROTTLED once, answered where it was refused", async () => {
    const query = `{ customers(first: 1) { nodes { id } } }`;
    const token = await lane.token("contoso", PartnerRole.GLOBAL_ADMIN);
    const refusals: Answer[] = [];
    for (const app of [lane, apollo]) {
      for (let i = 0; i < 2; i++) await post(app, token, { query }); // parsed, then compiled
      const refusedBefore = app.app.concurrency.refusedTotal();
      const servedBefore = lane.app.fastLane!.served;
      const held = post(app, token, { query: `{ domainAvailability(domain: "hold.example") { available } }` });
      while (app.app.concurrency.gauge().every((g) => g.running === 0)) await new Promise((r) => setTimeout(r, 5));
      refusals.push(await post(app, token, { query }));
      expect(app.app.concurrency.refusedTotal() - refusedBefore).toBe(1);
      if (app === lane) expect(lane.app.fastLane!.served - servedBefore).toBe(1);
      releaseHeld();
      expect((await held).status).toBe(200);
      expect(app.app.concurrency.gauge().every((g) => g.running === 0 && g.waiting === 0)).toBe(true);
    }
    expect(refusals[0]).toEqual(refusals[1]);
    expect(refusals[0]!.status).toBe(429);
    expect(refusals[0]!.retryAfter).toBe("1");
    expect((refusals[0]!.body as any).errors[0].extensions.code).toBe("THROTTLED");
  });

  it("an empty or ungrammatical operation name, a mutation, a text/plain body: Apollo's answers", async () => {
    const query = `query Names { customers(first: 1) { nodes { companyName } } }`;
    await compare(GA, { query });
    const empty = await compare(GA, { query, operationName: "" });
    expect(empty.laned).toBe(0);
    expect(empty.answer.status).toBe(400);
    expect((await compare(GA, { query, operationName: "Names\u0000" })).laned).toBe(0);
    // a create refused by validation (an empty domain prefix): userErrors, nothing written
    const mutation = await compare(GA, { query: WORKLOAD_D_CREATE, variables: { input: customerCreateInput("") } });
    expect(mutation.laned).toBe(0);
    expect((mutation.answer.body as any).data.customerCreate.userErrors.length).toBeGreaterThan(0);
    const plain = await compare(GA, JSON.stringify({ query }), { "content-type": "text/plain" });
    expect(plain.laned).toBe(0);
    expect(plain.answer.status).toBe(400);
  });

  it("requests the lane does not take: an Accept it does not answer, extensions, a caller without a token", async () => {
    const query = `{ customers(first: 1) { nodes { id } } }`;
    const graphqlResponse = await compare(GA, { query }, { accept: "application/graphql-response+json" });
    expect(graphqlResponse.laned).toBe(0);
    expect(graphqlResponse.answer.contentType).toBe("application/graphql-response+json; charset=utf-8");
    const withExtensions = await compare(GA, { query, extensions: {} });
    expect(withExtensions.laned).toBe(0);
    const served = lane.app.fastLane!.served;
    const anonymous = [await post(lane, null, { query }), await post(lane, null, { query }), await post(lane, null, { query })];
    expect((anonymous[2]!.body as any).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(lane.app.fastLane!.served).toBe(served);
  });
});
