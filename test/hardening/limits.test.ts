import { PartnerRole, TestApp } from "../support/harness"; // first: it loads the schema (and reflect-metadata) before any decorated module
import { getIntrospectionQuery, parse, visit } from "graphql";
import { encodeGlobalId } from "../../src/graphql/relay";
import { ByteLru } from "../../src/server/caches";
import { documentShape } from "../../src/server/limits";
import { WORKLOAD_A, WORKLOAD_B, WORKLOAD_C, WORKLOAD_D_CREATE, customerCreateInput } from "../../bench/workloads";
import { customerInput, CUSTOMER_CREATE, REQUEST_ACCEPT } from "../support/fixtures";
import { globalIdOf } from "../support/kit";

/** The request edge against hostile input: found by a probe of the production-mode server, each answered 4xx (never 500, never a frozen loop). */
let app: TestApp;
let base: string;
let token: string;

const DOCUMENT_CACHE_BYTES = 200_000;
const SHAPE_CACHE_BYTES = 2_000;

beforeAll(async () => {
  app = await TestApp.start({
    env: {
      NODE_ENV: "production",
      DOCUMENT_CACHE_BYTES: String(DOCUMENT_CACHE_BYTES),
      SHAPE_CACHE_BYTES: String(SHAPE_CACHE_BYTES),
      ANONYMOUS_RATE_LIMIT_PER_MINUTE: "100000",
    },
  });
  base = await app.url();
  token = await app.token("contoso", PartnerRole.GLOBAL_ADMIN);
});
afterAll(() => app?.close());

async function post(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }, url = base) {
  const response = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = { raw: text };
  }
  return { status: response.status, json };
}
const anonymously = (body: unknown, url = base) => post(body, {}, url);

/** `fragment F22 on Query{__typename} fragment F21 on Query{...F22 ...F22} … {...F0}`: 2^22 leaves from ~900 bytes. */
function fanOut(levels: number): string {
  const fragments = [`fragment F${levels} on Query{__typename}`];
  for (let i = levels - 1; i >= 0; i--) fragments.push(`fragment F${i} on Query{...F${i + 1} ...F${i + 1}}`);
  return `${fragments.join(" ")} {...F0}`;
}

function astNodes(source: string): number {
  let count = 0;
  visit(parse(source), { enter: () => void count++ });
  return count;
}

describe("a fan-out of fragments", () => {
  it("is measured visiting each fragment once: selections visited stay proportional to the document", () => {
    const source = fanOut(22);
    const shape = documentShape(parse(source));
    expect(shape.fields).toBe(2 ** 22 + 2 ** 23 - 1); // 2^22 leaves and 2^23 - 1 spreads once expanded
    expect(shape.visited).toBeLessThan(10 * astNodes(source));
    expect(shape.visited).toBe(2 * 22 + 1 + 1); // two spreads per fragment, the leaf, the operation's spread
  });

  it("is refused with 400 QUERY_TOO_COMPLEX (FIELDS) and the expanded size", async () => {
    const response = await post({ query: fanOut(22) });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].extensions).toEqual({ code: "QUERY_TOO_COMPLEX", kind: "FIELDS", limit: 5000, actual: 2 ** 22 + 2 ** 23 - 1 });
  });

  it("reports a count beyond 2^53 as the largest safe integer, not as null", async () => {
    const response = await post({ query: fanOut(80) });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].extensions).toMatchObject({ kind: "FIELDS", actual: Number.MAX_SAFE_INTEGER });
  });

  it("measures depth, aliases and directives through fragments as if they were written out", () => {
    const spread = documentShape(parse(`{ viewer { ...V ...V } } fragment V on Viewer { a: partner @include(if: true) { name } user { id } }`));
    const inline = documentShape(parse(`{ viewer { a: partner @include(if: true) { name } user { id } a: partner @include(if: true) { name } user { id } } }`));
    expect({ ...spread, visited: 0 }).toEqual({ depth: 3, aliases: 2, directives: 2, fields: 11, visited: 0 });
    expect({ ...inline, visited: 0 }).toEqual({ ...spread, fields: 9, visited: 0 }); // written out: no spread selections
  });

  it("counts a cycle as nothing and leaves it to validation", async () => {
    const response = await post({ query: `fragment A on Query { ...B viewer { user { id } } } fragment B on Query { ...A } { ...A }` });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("still runs a document that repeats fragments within the limits", async () => {
    const response = await post({ query: `{ ...Q ...Q } fragment Q on Query { viewer { ...P ...P } } fragment P on Viewer { partner { mpnId } }` });
    expect(response.status).toBe(200);
    expect(response.json.data.viewer.partner.mpnId).toBe("1000001");
  });
});

describe("requests without a token", () => {
  it("get a small body limit", async () => {
    const padded = `${REQUEST_ACCEPT}\n# ${"x".repeat(9000)}`;
    const anonymous = await anonymously({ query: padded, variables: { input: { invitationToken: "t", customerTenantId: "x" } } });
    expect(anonymous.status).toBe(413);
    expect(anonymous.json.errors[0]).toEqual({ message: "The request body exceeds 8192 bytes.", extensions: { code: "BAD_REQUEST" } });
  });

  it.each([
    ["TOKENS", `mutation { relationshipRequestAccept(input: { invitationToken: "${"t".repeat(10)}", customerTenantId: "x" }) { userErrors { ${"code ".repeat(500)} } } }`, 500],
    ["DEPTH", `{ viewer { partner { users(first: 1) { nodes { partner { id } } } } } }`, 5],
    ["ALIASES", `mutation { ${Array.from({ length: 6 }, (_, i) => `a${i}: relationshipRequestAccept(input: { invitationToken: "t", customerTenantId: "x" }) { userErrors { code } }`).join(" ")} }`, 5],
    ["DIRECTIVES", `mutation { relationshipRequestAccept(input: { invitationToken: "t", customerTenantId: "x" }) { userErrors { ${"code @include(if: true) ".repeat(6)} } } }`, 5],
    ["FIELDS", `mutation { relationshipRequestAccept(input: { invitationToken: "t", customerTenantId: "x" }) { ...D ...D } } fragment D on RelationshipRequestAcceptPayload { ...E ...E ...E ...E } fragment E on RelationshipRequestAcceptPayload { ...U ...U ...U ...U } fragment U on RelationshipRequestAcceptPayload { userErrors { field code message } customer { id tenantId companyName } relationshipRequest { id status } clientMutationId }`, 300],
  ])("get tight %s limits, checked before anything is parsed", async (kind, query, limit) => {
    const anonymous = await anonymously({ query });
    expect(anonymous.status).toBe(400);
    expect(anonymous.json.errors[0].extensions).toEqual({ code: "QUERY_TOO_COMPLEX", kind, limit, actual: expect.any(Number) });
    expect(anonymous.json.errors[0].extensions.actual).toBeGreaterThan(limit);
    const authenticated = await post({ query });
    expect(authenticated.json.errors?.[0]?.extensions?.code).not.toBe("QUERY_TOO_COMPLEX");
  });

  it("still accept an invitation (the accept mutation's shape fits)", async () => {
    const response = await anonymously({ query: REQUEST_ACCEPT, variables: { input: { invitationToken: "made-up", customerTenantId: "00000000-0000-4000-8000-000000000000" } } });
    expect(response.status).toBe(200);
    expect(response.json.data.relationshipRequestAccept.userErrors[0].code).toEqual(expect.any(String));
  });

  it("may introspect in development within those limits (the playground loads the schema before a token is entered)", async () => {
    const dev = await TestApp.start({ seed: false, env: { NODE_ENV: "development", ANONYMOUS_RATE_LIMIT_PER_MINUTE: "100000" } });
    try {
      const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true });
      const response = await anonymously({ query }, await dev.url());
      expect(response.status).toBe(200);
      expect(response.json.data.__schema.queryType.name).toBe("Query");
    } finally {
      await dev.close();
    }
  });
});

describe("bounded caches", () => {
  it("keep nothing for documents sent without a token", async () => {
    const before = { parsed: app.app.documentCaches.parsed.bytes, shapes: app.app.documentCaches.shapes.bytes };
    for (let i = 0; i < 20; i++) {
      const query = `${REQUEST_ACCEPT}\n# ${i} ${"x".repeat(7000)}`;
      const response = await anonymously({ query, variables: { input: { invitationToken: `made-up-${i}`, customerTenantId: "x" } } });
      expect(response.status).toBe(200);
    }
    expect({ parsed: app.app.documentCaches.parsed.bytes, shapes: app.app.documentCaches.shapes.bytes }).toEqual(before);
  });

  it("hold at most their byte bound however many distinct documents authenticated callers send", async () => {
    let largest = 0;
    for (let i = 0; i < 30; i++) {
      const query = `query Q${i} { viewer { user { ${"id ".repeat(600)} } } }`; // ~90 KB of AST (as JSON) each
      expect((await post({ query })).status).toBe(200);
      largest = Math.max(largest, app.app.documentCaches.parsed.bytes);
    }
    expect(largest).toBeGreaterThan(DOCUMENT_CACHE_BYTES / 2);
    expect(largest).toBeLessThanOrEqual(DOCUMENT_CACHE_BYTES);
    expect(app.app.documentCaches.parsed.size).toBeLessThan(30);
    expect(app.app.documentCaches.shapes.bytes).toBeLessThanOrEqual(SHAPE_CACHE_BYTES);
  });

  it("key shapes by a hash: an entry's size does not grow with its document", async () => {
    app.app.documentCaches.shapes.clear();
    expect((await post({ query: `{ viewer { user { id } } }\n# ${"x".repeat(200_000)}` })).status).toBe(200);
    expect(app.app.documentCaches.shapes.size).toBe(1);
    expect(app.app.documentCaches.shapes.bytes).toBeLessThan(200);
  });

  it("evict the least recently used entries and refuse an entry larger than the bound", () => {
    const cache = new ByteLru<string>(100);
    cache.set("a", "A", 40);
    cache.set("b", "B", 40);
    expect(cache.get("a")).toBe("A"); // now b is the least recently used
    cache.set("c", "C", 40);
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual(["A", undefined, "C"]);
    expect(cache.bytes).toBe(80);
    cache.set("huge", "H", 101);
    expect(cache.get("huge")).toBeUndefined();
    expect(cache.bytes).toBe(80);
    cache.set("a", "A2", 10);
    expect([cache.get("a"), cache.bytes]).toEqual(["A2", 50]);
  });
});

describe("variables of the wrong type", () => {
  const customers = `query($first: Int) { customers(first: $first) { totalCount } }`;

  it.each([
    ["a string for an Int", customers, { first: "ten" }, /\$first/],
    ["an object for an Int", customers, { first: { n: 10 } }, /\$first/],
    ["null for a non-null ID", `query($id: ID!) { customer(id: $id) { id } }`, { id: null }, /\$id/],
    ["a missing non-null variable", `query($id: ID!) { customer(id: $id) { id } }`, {}, /\$id/],
    ["a list for a String", `query($s: String) { customers(filter: { search: $s }) { totalCount } }`, { s: ["a"] }, /\$s/],
    ["an unknown enum value", `query($o: CustomerOrder) { customers(first: 1, orderBy: $o) { totalCount } }`, { o: { field: "constructor" } }, /\$o/],
    ["a DateTime past year 9999", `query($d: DateTime) { customers(filter: { createdAfter: $d }) { totalCount } }`, { d: "+275760-09-13T00:00:00Z" }, /\$d/],
    ["a DateTime before year 0", `query($d: DateTime) { customers(filter: { createdAfter: $d }) { totalCount } }`, { d: "-200000-01-01T00:00:00Z" }, /\$d/],
  ])("answers 400 BAD_USER_INPUT for %s", async (_label, query, variables, mentions) => {
    const response = await post({ query, variables });
    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ message: expect.stringMatching(mentions), extensions: { code: "BAD_USER_INPUT" } }]);
  });

  it("ignores variables the operation does not declare", async () => {
    const response = await post({ query: customers, variables: { first: 1, unknown: { deeply: ["nested"] } } });
    expect(response.status).toBe(200);
    expect(response.json.data.customers.totalCount).toEqual(expect.any(Number));
  });

  it("answers a DateTime literal out of range as a validation failure (400), and the edges of the range with data", async () => {
    const literal = await post({ query: `{ customers(filter: { createdAfter: "+275760-09-13T00:00:00Z" }) { totalCount } }` });
    expect(literal.status).toBe(400);
    expect(literal.json.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    for (const d of ["0000-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]) {
      const edge = await post({ query: `query($d: DateTime) { customers(filter: { createdAfter: $d }) { totalCount } }`, variables: { d } });
      expect([edge.status, edge.json.errors]).toEqual([200, undefined]);
    }
  });

  it("answers 10,000 ids for nodes with BAD_USER_INPUT on the field, at a cost that counts each id", async () => {
    const response = await post({ query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, variables: { ids: Array.from({ length: 10_000 }, (_, i) => `x${i}`) } });
    expect(response.status).toBe(200);
    expect(response.json.errors).toEqual([expect.objectContaining({ path: ["nodes"], extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) })]);
    expect(response.json.extensions.cost.requested).toBe(1 + 10_000);
  });
});

describe("NUL characters in string input", () => {
  const NUL = "\u0000";

  it.each([
    ["a search", `query($f: CustomerFilter) { customers(filter: $f) { totalCount } }`, { f: { search: `a${NUL}b` } }, "$f.search"],
    ["a domain prefix", `query($f: CustomerFilter) { customers(filter: $f) { totalCount } }`, { f: { domainPrefix: NUL } }, "$f.domainPrefix"],
    ["a domain", `query($d: String!) { customerByDomain(domain: $d) { id } }`, { d: `contoso${NUL}.onmicrosoft.com` }, "$d"],
    ["a list item", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: ["a", `b${NUL}`] }, "$ids[1]"],
  ])("in %s are refused with 400 BAD_USER_INPUT naming the variable", async (_label, query, variables, where) => {
    const response = await post({ query, variables });
    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ message: `Strings must not contain the NUL character (U+0000); found in ${where}.`, extensions: { code: "BAD_USER_INPUT" } }]);
  });

  it("in a mutation's input are refused before anything is written", async () => {
    const input = customerInput({ billingProfile: { companyName: `Nul${NUL}Corp` } });
    const response = await post({ query: CUSTOMER_CREATE, variables: { input } });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].message).toBe("Strings must not contain the NUL character (U+0000); found in $input.billingProfile.companyName.");
    expect(await app.sql(`SELECT id FROM customer WHERE company_name LIKE 'Nul%'`)).toEqual([]);
  });

  it.each([
    ["an idempotency key", { idempotencyKey: `k${NUL}` }, "$input.idempotencyKey"],
    ["an offer name", { offerName: `Office${NUL}` }, "$input.offerName"],
  ])("in %s of subscriptionCreate are refused", async (_label, patch, where) => {
    const input = { customerId: encodeGlobalId("Customer", "00000000-0000-4000-8000-000000000000"), offerName: "Microsoft 365 E3", kind: "LICENSE", quantity: 1, ...patch };
    const response = await post({ query: `mutation($input: SubscriptionCreateInput!) { subscriptionCreate(input: $input) { userErrors { code } } }`, variables: { input } });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].message).toBe(`Strings must not contain the NUL character (U+0000); found in ${where}.`);
  });

  it("in a string literal of the document are refused naming the argument", async () => {
    // twice: the second time the document comes from the cache, and the check's answer with it
    for (let i = 0; i < 2; i++) {
      const response = await post({ query: `{ customers(filter: { search: "a\\u0000" }) { totalCount } }` });
      expect(response.status).toBe(400);
      expect(response.json.errors[0]).toEqual({ message: "Strings must not contain the NUL character (U+0000); found in the argument filter.search.", extensions: { code: "BAD_USER_INPUT" } });
    }
  });

  it("in a variable's default value are refused", async () => {
    const response = await post({ query: `query($s: String = "\\u0000") { customers(filter: { search: $s }) { totalCount } }` });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].message).toBe("Strings must not contain the NUL character (U+0000); found in the default value of $s.");
  });

  it("are looked for without recursion: deeply nested variables answer 400, not a stack overflow", async () => {
    const deep = `${"[".repeat(20_000)}"\\u0000"${"]".repeat(20_000)}`; // built as text: JSON.stringify itself would overflow
    const query = `query($v: String) { customers(filter: { search: $v }) { totalCount } }`;
    const response = await post(`{"query":${JSON.stringify(query)},"variables":{"v":"ok","extra":${deep}}}`);
    expect(response.status).toBe(400);
    expect(response.json.errors[0].extensions.code).toBe("BAD_USER_INPUT");
  });
});

describe("long strings in filters and lookups", () => {
  const long = "a".repeat(100_000);

  it.each([
    ["search", `query($s: String) { customers(first: 1, filter: { search: $s }) { totalCount nodes { id } } }`],
    ["companyNamePrefix", `query($s: String) { customers(first: 1, filter: { companyNamePrefix: $s }) { totalCount nodes { id } } }`],
    ["domainPrefix", `query($s: String) { customers(first: 1, filter: { domainPrefix: $s }) { totalCount nodes { id } } }`],
    ["country", `query($s: String) { customers(first: 1, filter: { country: $s }) { totalCount } }`],
    ["customerByDomain", `query($s: String!) { customerByDomain(domain: $s) { id } }`],
    ["domainAvailability", `query($s: String!) { domainAvailability(domain: $s) { available reason } }`],
    ["countryValidationRules", `query($s: String!) { countryValidationRules(country: $s) { country } }`],
  ])("in %s never answer 500", async (_label, query) => {
    const response = await post({ query, variables: { s: long } });
    expect(response.status).toBe(200);
    for (const error of response.json.errors ?? []) expect(error.extensions.code).toBe("BAD_USER_INPUT");
  });
});

describe("forged cursors", () => {
  const cursor = (value: unknown[]) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const uuid = "00000000-0000-4000-8000-000000000000";

  it.each([
    ["an id that is not a UUID", "COMPANY_NAME", ["COMPANY_NAME_ASC", "x", "not-a-uuid"]],
    ["a date that is not one", "CREATED_AT", ["CREATED_AT_ASC", "garbage", uuid]],
    ["a NUL in the value", "COMPANY_NAME", ["COMPANY_NAME_ASC", "a\u0000", uuid]],
    ["an object as the value", "COMPANY_NAME", ["COMPANY_NAME_ASC", { a: 1 }, uuid]],
  ])("with %s answer BAD_USER_INPUT on `after`, never 500", async (_label, field, value) => {
    const response = await post({ query: `query($a: String) { customers(first: 1, after: $a, orderBy: { field: ${field} }) { nodes { id } } }`, variables: { a: cursor(value) } });
    expect(response.status).toBe(200);
    expect(response.json.errors).toEqual([expect.objectContaining({ path: ["customers"], extensions: { code: "BAD_USER_INPUT", argument: "after" } })]);
  });

  it("that the server wrote still page on, in every order", async () => {
    for (const field of ["COMPANY_NAME", "CREATED_AT", "UPDATED_AT"]) {
      const query = `query($a: String) { customers(first: 2, after: $a, orderBy: { field: ${field} }) { nodes { id } pageInfo { endCursor } } }`;
      const first = (await post({ query })).json.data.customers;
      const second = await post({ query, variables: { a: first.pageInfo.endCursor } });
      expect(second.json.errors).toBeUndefined();
      expect(second.json.data.customers.nodes[0].id).not.toBe(first.nodes[0].id);
    }
  });
});

describe("global ids naming prototype properties", () => {
  const uuid = "00000000-0000-4000-8000-000000000000";

  it.each(["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__", "isPrototypeOf"])("node(%s:<uuid>) is null", async (type) => {
    const id = globalIdOf(type, uuid);
    const response = await post({ query: `query($id: ID!, $ids: [ID!]!) { node(id: $id) { id } nodes(ids: $ids) { id } }`, variables: { id, ids: [id, id] } });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ data: { node: null, nodes: [null, null] } });
    expect(response.json.errors).toBeUndefined();
  });

  it("playground asset names are looked up the same way", async () => {
    for (const name of ["constructor", "__proto__", "toString"]) expect((await fetch(`${base}/playground/assets/${name}`)).status).toBe(404);
  });
});

describe("cost weights", () => {
  const requested = async (query: string, variables?: Record<string, unknown>) => {
    const response = await post({ query, variables });
    expect(response.json.errors).toBeUndefined();
    return response.json.extensions.cost.requested as number;
  };

  it("charge a count over the filtered set and a search once per connection, not once per node", async () => {
    expect(await requested(`{ customers(first: 1, filter: { search: "e" }) { totalCount } }`)).toBe(1 + 500 + 100 + 1);
    expect(await requested(`{ customers(first: 50) { totalCount nodes { id } } }`)).toBe(1 + 100 + 50 * 2);
    expect(await requested(`{ customers(first: 10, filter: { companyNamePrefix: "C", domainPrefix: "c" }) { nodes { id } } }`)).toBe(1 + 100 + 100 + 10 * 2);
    expect(await requested(`{ customers(first: 1) { a: totalCount b: totalCount ...C } } fragment C on CustomerConnection { totalCount }`)).toBe(1 + 3 * 100 + 1);
  });

  it("keep a connection at its page size times the cost of one node", async () => {
    expect(await requested(`{ customers(first: 50) { nodes { id companyName } } }`)).toBe(1 + 50 * 3);
    expect(await requested(`{ customers { nodes { id } } }`)).toBe(1 + 50 * 2); // the default page size
  });

  it("charge a plain list its bound times the cost of one item", async () => {
    // domains ≤ 10 (scalars, 1 each), purchasePermissions ≤ 2; a page of 10 customers (`nodes` itself 1)
    expect(await requested(`{ customers(first: 10) { nodes { domains purchasePermissions { id resource } } } }`)).toBe(1 + 10 * (1 + (1 + 10) + (1 + 2 * 2)));
    expect(await requested(`{ viewer { user { roles } } }`)).toBe(1 + 1 + (1 + 9));
  });

  it("refuse a document nesting plain lists through their customer links with QUERY_TOO_COMPLEX (COST)", async () => {
    const query = `{ customers(first: 500) { nodes { purchasePermissions { customer { purchasePermissions { customer { purchasePermissions { customer { id domains purchasePermissions { id } } } } } } } } } }`;
    const response = await post({ query });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].extensions).toEqual({ code: "QUERY_TOO_COMPLEX", kind: "COST", limit: 50_000, actual: expect.any(Number) });
    // 500 customers × 2 × 2 × 2 permissions at the bottom, each customer with its domains and permissions
    const bottom = 1 + 1 + (1 + 10) + (1 + 2 * 1); // customer { id domains purchasePermissions { id } }
    expect(response.json.errors[0].extensions.actual).toBe(1 + 500 * (1 + (1 + 2 * (1 + (1 + 2 * (1 + (1 + 2 * bottom)))))));
    expect(response.json.data).toBeUndefined();
  });

  it("are computed per variables' cost key: one document sent again with other page sizes, filters, lists and conditions costs each anew", async () => {
    const query = `query($n: Int, $f: CustomerFilter, $ids: [ID!]!, $withName: Boolean!) {
      customers(first: $n, filter: $f) { nodes { id companyName @include(if: $withName) } }
      nodes(ids: $ids) { id }
    }`;
    const base = { n: 10, f: null, ids: ["a"], withName: false };
    const rounds: [Record<string, unknown>, number][] = [
      [base, 1 + 10 * 2 + (1 + 1 * 1)],
      [{ ...base, n: 20 }, 1 + 20 * 2 + (1 + 1 * 1)],
      [{ ...base, f: { search: "x" } }, 1 + 500 + 10 * 2 + (1 + 1 * 1)],
      [{ ...base, f: { search: "" } }, 1 + 10 * 2 + (1 + 1 * 1)],
      [{ ...base, ids: ["a", "b", "c"] }, 1 + 10 * 2 + (1 + 3 * 1)],
      [{ ...base, withName: true }, 1 + 10 * 3 + (1 + 1 * 1)],
      [base, 1 + 10 * 2 + (1 + 1 * 1)],
    ];
    for (const [variables, cost] of rounds) expect([variables, await requested(query, variables)]).toEqual([variables, cost]);
  });

  it("leave the benchmark's workloads well under the default limit", async () => {
    const customer = (await post({ query: `{ customers(first: 1) { nodes { id } } }` })).json.data.customers.nodes[0];
    const costs = [
      await requested(WORKLOAD_A, { first: 50 }),
      await requested(WORKLOAD_B, { id: customer.id }),
      await requested(WORKLOAD_C, { search: "a" }),
      await requested(`{ customers(first: 200, filter: { search: "a" }) { nodes { id } pageInfo { endCursor } } }`),
    ];
    const create = await post({ query: WORKLOAD_D_CREATE, variables: { input: customerCreateInput(`bench${Date.now()}`) } });
    expect(create.json.errors).toBeUndefined();
    costs.push(create.json.extensions.cost.requested);
    for (const cost of costs) expect(cost).toBeLessThan(50_000 / 10);
  });
});
