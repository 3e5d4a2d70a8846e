import { GraphQLEnumType, GraphQLObjectType, GraphQLSchema } from "graphql";
import { PartnerRole } from "../src/auth/roles";
import { buildBareSchema } from "../src/graphql/schema";
import { leavesSerializeAsReturned } from "../src/server/jit";
import { CustomerService } from "../src/modules/customers/customer.service";
import { WORKLOAD_A, WORKLOAD_B } from "../bench/workloads";
import { customerInput, CUSTOMER_CREATE } from "./support/fixtures";
import { GqlResult, TestApp } from "./support/harness";
import { globalIdOf } from "./support/kit";

/**
 * The same database, served by graphql-js (GRAPHQL_JIT=off) and by graphql-jit: every query answers the same,
 * errors included (codes, paths, masking, partial data), on its first execution (graphql-js) and on its
 * second (compiled).
 */
let js: TestApp;
let jit: TestApp;
const ids: Record<string, string> = {};

const original = CustomerService.prototype.domainAvailability;

beforeAll(async () => {
  js = await TestApp.start({ env: { GRAPHQL_JIT: "off" } });
  jit = await TestApp.start({ databaseUrl: js.config.databaseUrl, env: { GRAPHQL_JIT: "on" }, seed: false });
  const [c] = await js.sql(
    `SELECT c.id FROM customer c JOIN customer_relationship r ON r.customer_id = c.id AND r.status = 'ACTIVE' JOIN partner p ON p.id = r.partner_id AND p.mpn_id = '1000001' ORDER BY c.id LIMIT 1`,
  );
  ids.customer = globalIdOf("Customer", c.id);
  const [s] = await js.sql(`SELECT s.id FROM subscription s JOIN partner p ON p.id = s.partner_id AND p.mpn_id = '1000001' ORDER BY s.id LIMIT 1`);
  ids.subscription = globalIdOf("Subscription", s.id);
  const [f] = await js.sql(
    `SELECT c.id FROM customer c JOIN customer_relationship r ON r.customer_id = c.id AND r.status = 'ACTIVE' JOIN partner p ON p.id = r.partner_id AND p.mpn_id = '1000003' ORDER BY c.id LIMIT 1`,
  );
  ids.northwindCustomer = globalIdOf("Customer", f.id);
  // a resolver throwing a plain Error, a statement timeout, a non-null violation
  CustomerService.prototype.domainAvailability = async function (domain: string) {
    if (domain === "boom.example") throw new Error("boom: a plain error");
    if (domain === "timeout.example") throw Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" });
    if (domain === "null.example") return { available: null, domain: "null.example", reason: null } as never;
    return original.call(this, domain);
  };
});
afterAll(async () => {
  CustomerService.prototype.domainAvailability = original;
  await jit?.close();
  await js?.close();
});

function normalized(r: GqlResult) {
  const cost = r.extensions?.cost;
  return {
    status: r.status,
    data: r.data,
    errors: r.errors?.map((e) => ({ ...e, extensions: e.extensions && { ...e.extensions, requestId: e.extensions.requestId ? "<id>" : undefined } })),
    cost: cost && { requested: cost.requested, actual: cost.actual },
  };
}

const { GLOBAL_ADMIN: GA, HELPDESK_AGENT: HA, BILLING_ADMIN: BA, SALES_AGENT: SA } = PartnerRole;

const CASES: [string, string, PartnerRole[], string, () => Record<string, unknown>][] = [
  ["workload A", "contoso", [GA], WORKLOAD_A, () => ({ first: 50 })],
  ["workload A, fabrikam (indirect reseller)", "fabrikam", [GA, PartnerRole.ADMIN_AGENT], WORKLOAD_A, () => ({ first: 50 })],
  ["workload B", "contoso", [GA], WORKLOAD_B, () => ({ id: ids.customer })],
  ["workload A, helpdesk (billingProfile FORBIDDEN, partial data)", "contoso", [HA], WORKLOAD_A, () => ({ first: 5 })],
  ["workload B, billing admin (customer FORBIDDEN)", "contoso", [BA], WORKLOAD_B, () => ({ id: ids.customer })],
  ["workload B, helpdesk", "contoso", [HA], WORKLOAD_B, () => ({ id: ids.customer })],
  [
    "node / nodes, fragments, __typename, bad ids",
    "contoso",
    [GA],
    `query($c: ID!, $s: ID!) {
      node(id: $c) { __typename id ... on Customer { companyName createdAt } }
      sub: node(id: $s) { __typename ... on Subscription { offerName kind status createdAt } ...N }
      nodes(ids: [$c, $s, "bm90LWFuLWlk", "Q3VzdG9tZXI6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"]) { __typename id ... on Customer { defaultDomain } }
    }
    fragment N on Node { id }`,
    () => ({ c: ids.customer, s: ids.subscription }),
  ],
  [
    "node of another partner's customer",
    "contoso",
    [GA],
    `query($c: ID!) { node(id: $c) { id } customer(id: $c) { id } }`,
    () => ({ c: ids.northwindCustomer }),
  ],
  ["node, helpdesk: Subscription allowed?", "contoso", [BA], `query($s: ID!) { node(id: $s) { id ... on Subscription { status } } }`, () => ({ s: ids.subscription })],
  [
    "enums in args/vars, aliases, skip/include, totalCount, edges, cursors",
    "contoso",
    [GA],
    `query($st: RelationshipStatus!, $yes: Boolean!, $no: Boolean!) {
      removed: customers(first: 3, filter: { relationshipStatus: $st }, orderBy: { field: COMPANY_NAME, direction: DESC }) {
        totalCount edges { cursor node { id companyName relationship { status removedAt } qualification } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
      active: customers(first: 2) @include(if: $yes) { totalCount nodes { id @skip(if: $no) companyName @skip(if: $yes) } }
      hidden: customers(first: 2) @include(if: $no) { totalCount }
    }`,
    () => ({ st: "REMOVED", yes: true, no: false }),
  ],
  [
    "audit records: JSON, DateTime",
    "contoso",
    [GA],
    `{ auditRecords(first: 5) { totalCount nodes { id operationType resourceType at oldValue newValue actor { __typename } customer { id } } } }`,
    () => ({}),
  ],
  ["viewer", "contoso", [SA], `{ viewer { user { id email roles } partner { id name mpnId } } }`, () => ({})],
  ["plain error -> INTERNAL_SERVER_ERROR masked, other root field still delivered", "contoso", [GA], `{ domainAvailability(domain: "boom.example") { available } customers(first: 1) { totalCount } }`, () => ({})],
  ["statement timeout -> STATEMENT_TIMEOUT", "contoso", [GA], `{ domainAvailability(domain: "timeout.example") { available } }`, () => ({})],
  ["non-null violation bubbles to the nullable parent", "contoso", [GA], `{ domainAvailability(domain: "null.example") { domain available } }`, () => ({})],
  [
    "variables: omitted non-null input field with a default, omitted variables inside input objects and args, list coercion, DateTime",
    "contoso",
    [GA],
    `query($o: CustomerOrder, $s: String, $a: String, $ids: [ID!]!, $after: DateTime) {
      o: customers(first: 3, orderBy: $o) { nodes { companyName } }
      s: customers(first: 2, filter: { search: $s, createdAfter: $after }, after: $a) { totalCount nodes { id } }
      nodes(ids: $ids) { id }
    }`,
    () => ({ o: { field: "COMPANY_NAME" }, ids: ids.customer, after: "2025-01-01T00:00:00Z" }),
  ],
  [
    "variables omitted inside input objects and args (no fallback)",
    "contoso",
    [GA],
    `query($s: String, $a: String, $p: String, $after: DateTime, $c: String) {
      s: customers(first: 2, filter: { search: $s, companyNamePrefix: $p, createdAfter: $after, country: $c }, after: $a) { totalCount nodes { id } }
      r: customers(first: 2, filter: { relationshipStatus: REMOVED, search: $s }) { totalCount }
    }`,
    () => ({}),
  ],
  ["variables of the wrong type (didResolveOperation)", "contoso", [GA], WORKLOAD_A, () => ({ first: "fifty" })],
  ["page too large (badUserInput from a resolver)", "contoso", [GA], `{ customers(first: 5000) { totalCount } }`, () => ({})],
  ["cost limit (didResolveOperation)", "contoso", [GA], `{ a: customers(first: 500) { nodes { id auditRecords(first: 100) { nodes { id } } } } }`, () => ({})],
  ["introspection", "contoso", [GA], `{ __typename __schema { queryType { name } types { name kind fields(includeDeprecated: true) { name type { name kind ofType { name } } } enumValues { name } } } __type(name: "Node") { possibleTypes { name } } }`, () => ({})],
  ["unknown field (validation)", "contoso", [GA], `{ customers { nope } }`, () => ({})],
];

describe("graphql-jit answers as graphql-js does", () => {
  it.each(CASES)("%s", async (_name, partner, roles, query, vars) => {
    const variables = vars();
    const a = await js.as(partner as never, ...roles).run(query, variables);
    const first = await jit.as(partner as never, ...roles).run(query, variables);
    const second = await jit.as(partner as never, ...roles).run(query, variables);
    expect(normalized(first)).toEqual(normalized(a));
    expect(normalized(second)).toEqual(normalized(a));
  });

  it("compiled the queries on their second execution, and runs mutations on graphql-js", async () => {
    const cache = jit.app.jitCache!;
    expect(cache.compilations).toBeGreaterThanOrEqual(10);
    const before = cache.compilations;
    for (let i = 0; i < 3; i++) {
      const created = await jit.as("contoso", GA).run(CUSTOMER_CREATE, { input: customerInput() });
      expect(created.data.customerCreate.customer.id).toBeTruthy();
    }
    expect(cache.compilations).toBe(before);
    // compiled already: other values reuse it
    await jit.as("contoso", GA).run(WORKLOAD_A, { first: 7 });
    await jit.as("contoso", GA).run(WORKLOAD_A, { first: 8 });
    expect(cache.compilations).toBe(before);
  });

  it("a caller whose roles pass every object-field rule of a document runs it without those checks; any other caller with them", async () => {
    const cache = jit.app.jitCache!;
    for (let i = 0; i < 2; i++) await jit.as("contoso", GA).run(WORKLOAD_A, { first: 5 }); // compiled by now
    const before = cache.uncheckedRuns;
    const admin = await jit.as("contoso", GA).run(WORKLOAD_A, { first: 5 });
    expect(cache.uncheckedRuns).toBe(before + 1);
    expect(admin.errors).toBeUndefined();
    expect(admin.data.customers.nodes[0].billingProfile.email).toEqual(expect.any(String));
    const helpdesk = await jit.as("contoso", HA).run(WORKLOAD_A, { first: 5 });
    expect(cache.uncheckedRuns).toBe(before + 1);
    expect(helpdesk.errors?.map((e) => e.extensions?.code)).toEqual(Array(5).fill("FORBIDDEN"));
    expect(helpdesk.data.customers.nodes.map((n: { billingProfile: unknown }) => n.billingProfile)).toEqual(Array(5).fill(null));
    expect(helpdesk.data.customers.nodes.map((n: { id: string }) => n.id)).toEqual(admin.data.customers.nodes.map((n: { id: string }) => n.id));
  });

  it("compiles the unchecked variant on a later execution than the one that compiled the document", async () => {
    const cache = jit.app.jitCache!;
    const query = `query VariantLater { customers(first: 2) { nodes { id billingProfile { email } } } }`;
    const runs = cache.uncheckedRuns;
    const compilations = cache.compilations;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await jit.as("contoso", GA).run(query));
    // graphql-js, compiled (checked), the variant compiled and run, the variant run
    expect(cache.compilations).toBe(compilations + 1);
    expect(cache.uncheckedRuns).toBe(runs + 2);
    for (const answer of answers) expect(answer.data).toEqual(answers[0]!.data);
    expect(answers[0]!.data.customers.nodes[0].billingProfile.email).toEqual(expect.any(String));
  });

  it("never compiles a document run once, nor one larger than JIT_MAX_DOCUMENT_BYTES", async () => {
    const cache = jit.app.jitCache!;
    const before = cache.compilations;
    await jit.as("contoso", GA).run(`query Once { customers(first: 1) { nodes { id companyName } } }`);
    expect(cache.compilations).toBe(before);
    const large = `query Large { ${Array.from({ length: 28 }, (_, i) => `c${i}: customers(first: 1) { nodes { id companyName defaultDomain tenantId createdAt qualification country culture language etag updatedAt delegatedAdmin } }`).join(" ")} }`;
    expect(Buffer.byteLength(large)).toBeGreaterThan(jit.config.jit.maxSourceBytes);
    for (let i = 0; i < 3; i++) expect((await jit.as("contoso", GA).run(large)).errors).toBeUndefined();
    expect(cache.compilations).toBe(before);
    expect(cache.bytes).toBeLessThanOrEqual(jit.config.jit.cacheBytes);
  });

  it("anonymous callers are refused as before", async () => {
    const a = await js.anonymous().run(`{ customers(first: 1) { totalCount } }`);
    const b = await jit.anonymous().run(`{ customers(first: 1) { totalCount } }`);
    expect(normalized(b)).toEqual(normalized(a));
  });
});

describe("leaves written as resolvers return them", () => {
  it("only in a schema whose every enum is its own name inside; this schema's are", async () => {
    const withEnum = (values: Record<string, { value: unknown }>) =>
      new GraphQLSchema({ query: new GraphQLObjectType({ name: "Query", fields: { e: { type: new GraphQLEnumType({ name: "E", values }) } } }) });
    expect(leavesSerializeAsReturned(withEnum({ ACTIVE: { value: "ACTIVE" }, REMOVED: { value: "REMOVED" } }))).toBe(true);
    expect(leavesSerializeAsReturned(withEnum({ ACTIVE: { value: "ACTIVE" }, REMOVED: { value: 2 } }))).toBe(false);
    expect(leavesSerializeAsReturned(withEnum({ ACTIVE: { value: "active" } }))).toBe(false);
    expect(leavesSerializeAsReturned(await buildBareSchema())).toBe(true);
  });
});
