import { dataOf, partnerId, PartnerRole, TestApp } from "../support/harness";

/**
 * A planned statement fetches the columns the document's fields read (columns by TypeORM's metadata,
 * getters and resolvers by their `@Reads` declarations) and every column of an object whose selected
 * fields include one that declares nothing. Asserted on the statements' text.
 */
let app: TestApp;
let statements: string[] = [];
let modes: unknown[] = [];

beforeAll(async () => {
  app = await TestApp.start();
  expect(app.app.planner).not.toBeNull();
  const planner = app.app.planner as unknown as { execute(text: string, values: unknown[], prepare: boolean): Promise<unknown[]> };
  const execute = planner.execute.bind(planner);
  planner.execute = (text, values, prepare) => {
    statements.push(text);
    modes.push(prepare);
    return execute(text, values, prepare);
  };
});
afterAll(() => app?.close());

async function plannedStatement(query: string, variables: Record<string, unknown> = {}, partner: "contoso" | "fabrikam" = "contoso", count = 1): Promise<{ text: string; data: any }> {
  statements = [];
  modes = [];
  const data = dataOf(await app.as(partner, PartnerRole.GLOBAL_ADMIN).run(query, variables));
  expect(statements).toHaveLength(count);
  return { text: statements[0]!, data };
}

/** The JSON keys the statement builds for the root objects and the attached relationship. */
/** The properties a statement reads: JSON pairs (`'status', rel."status"`) and root columns (`rel."status" AS "scopeRelationship.status"`). */
const keysOf = (text: string) =>
  new Set([...[...text.matchAll(/'([A-Za-z0-9]+)', [a-z]+\."/g)].map((m) => m[1]!), ...[...text.matchAll(/[a-z]+\."\w+" AS "(?:\w+\.)?(\w+)"/g)].map((m) => m[1]!)]);

describe("columns of a planned statement", () => {
  it("a page of ids and names reads those columns (and the primary keys) only", async () => {
    const { text, data } = await plannedStatement(`{ customers(first: 3) { nodes { id companyName } } }`);
    expect(data.customers.nodes).toHaveLength(3);
    expect(keysOf(text)).toEqual(new Set(["id", "companyName"]));
  });

  it("a getter brings what it declares it reads: companyProfile its four columns, etag the relationship's version", async () => {
    const { text, data } = await plannedStatement(`{ customers(first: 2) { nodes { companyProfile { tenantId domain } etag } } }`);
    expect(data.customers.nodes[0].companyProfile.tenantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(data.customers.nodes[0].etag).toMatch(/^W\/"\d+"$/);
    expect(keysOf(text)).toEqual(new Set(["id", "tenantId", "defaultDomain", "companyName", "organizationRegistrationNumber", "version"]));
  });

  it("relationship { … } reads the fields selected under it from the joined relationship", async () => {
    const { text, data } = await plannedStatement(`{ customers(first: 2) { nodes { relationship { status establishedAt } } } }`);
    expect(data.customers.nodes[0].relationship.status).toBe("ACTIVE");
    expect(keysOf(text)).toEqual(new Set(["id", "partnerId", "status", "establishedAt"]));
  });

  it("an order's value comes with the row (the cursor), not as a column of the object", async () => {
    const { text, data } = await plannedStatement(`{ customers(first: 2, orderBy: { field: UPDATED_AT, direction: DESC }) { nodes { id } pageInfo { endCursor } } }`);
    expect(text).toContain('rel.updated_at AS "$k"');
    expect(keysOf(text)).toEqual(new Set(["id"]));
    const next = await plannedStatement(`query($after: String) { customers(first: 2, after: $after, orderBy: { field: UPDATED_AT, direction: DESC }) { nodes { id } } }`, { after: data.customers.pageInfo.endCursor });
    expect(next.data.customers.nodes).toHaveLength(2);
    expect(next.data.customers.nodes[0].id).not.toBe(data.customers.nodes[0].id);
  });

  it("a field whose getter declares nothing makes the planner read every column of its object", async () => {
    const few = await plannedStatement(`{ auditRecords(first: 2) { nodes { id operationType } } }`);
    const all = await plannedStatement(`{ auditRecords(first: 2) { nodes { id actor { email } } } }`);
    expect(all.data.auditRecords.nodes[0].actor).not.toBeNull();
    expect(keysOf(few.text)).toEqual(new Set(["id", "operationType"]));
    expect(keysOf(all.text).size).toBeGreaterThan(6);
    expect([...keysOf(all.text)]).toEqual(expect.arrayContaining(["id", "operationType", "resourceType", "at"]));
  });
});

describe("a customer page names its partners in its text (a generic plan per partner, no planning per call)", () => {
  const PAGE = `query($first: Int!) { customers(first: $first) { nodes { id } } }`;

  it("runs as a prepared statement whose text holds the caller's partner id (and a provider's resellers), not parameters", async () => {
    const contoso = await plannedStatement(PAGE, { first: 3 });
    expect(modes).toEqual(["page"]);
    expect(contoso.text).toContain(`rel.partner_id = '${partnerId("contoso")}'::uuid`);
    expect(contoso.text).toContain("rel.status = 'ACTIVE'");
    const fabrikam = await plannedStatement(PAGE, { first: 3 }, "fabrikam");
    expect(modes).toEqual(["page"]);
    expect(fabrikam.text).toMatch(new RegExp(`= ANY\\('\\{[^}]*${partnerId("northwind")}[^}]*\\}'::uuid\\[\\]\\)`));
    expect(fabrikam.text).not.toBe(contoso.text);
    expect(fabrikam.data.customers.nodes).toHaveLength(3);
  });

  it("a lookup by key binds the partner instead (one prepared text for every caller)", async () => {
    const page = await plannedStatement(PAGE, { first: 1 });
    const one = await plannedStatement(`query($id: ID!) { customer(id: $id) { id } }`, { id: page.data.customers.nodes[0].id });
    expect(modes).toEqual(["lookup"]);
    expect(one.text).not.toContain(partnerId("contoso"));
  });

  it("a page that names its partners still sends the caller's id typed (the statement does not fail)", async () => {
    const { data } = await plannedStatement(`{ customers(first: 2) { totalCount nodes { id } } }`, {}, "contoso", 2);
    expect(data.customers.totalCount).toBeGreaterThan(2);
    expect(data.customers.nodes).toHaveLength(2);
    // the page and its count
    expect(statements.map((text) => text.includes("$1::uuid IS NOT NULL"))).toEqual([true, true]);
  });
});
