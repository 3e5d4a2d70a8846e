import { dataOf, PartnerRole, TestApp } from "../support/harness";

/**
 * A planned statement fetches the columns the document's fields read (columns by TypeORM's metadata,
 * getters and resolvers by their `@Reads` declarations) and every column of an object whose selected
 * fields include one that declares nothing. Asserted on the statements' text.
 */
let app: TestApp;
let statements: string[] = [];

beforeAll(async () => {
  app = await TestApp.start();
  expect(app.app.planner).not.toBeNull();
  const planner = app.app.planner as unknown as { execute(text: string, values: unknown[], prepare: boolean): Promise<unknown[]> };
  const execute = planner.execute.bind(planner);
  planner.execute = (text, values, prepare) => {
    statements.push(text);
    return execute(text, values, prepare);
  };
});
afterAll(() => app?.close());

async function plannedStatement(query: string, variables: Record<string, unknown> = {}): Promise<{ text: string; data: any }> {
  statements = [];
  const data = dataOf(await app.as("contoso", PartnerRole.GLOBAL_ADMIN).run(query, variables));
  expect(statements).toHaveLength(1);
  return { text: statements[0]!, data };
}

/** The JSON keys the statement builds for the root objects and the attached relationship. */
const keysOf = (text: string) => new Set([...text.matchAll(/'([A-Za-z0-9]+)', [a-z]+\."/g)].map((m) => m[1]!));

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
    expect(text).toContain("rel.updated_at AS k");
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
