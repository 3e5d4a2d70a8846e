import { WORKLOAD_A, WORKLOAD_B } from "../bench/workloads";
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

// budgets refill (almost) not at all, so that both servers report the same points remaining after the same requests
const BUDGET = { RATE_LIMIT_REFILL_PER_SECOND: "0.001" };

beforeAll(async () => {
  lane = await TestApp.start({ env: BUDGET });
  apollo = await TestApp.start({ databaseUrl: lane.config.databaseUrl, seed: false, env: { ...BUDGET, FAST_LANE: "off" } });
});
afterAll(async () => {
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

async function post(app: TestApp, token: string | null, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${await app.url()}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    retryAfter: response.headers.get("retry-after"),
    statements: response.headers.get("x-sql-statements"),
    body: withoutRequestIds(JSON.parse(text)),
  };
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
  expect(answers[0]).toEqual(answers[1]);
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
