import { customerInput, CUSTOMER_CREATE, uniquePrefix } from "../support/fixtures";
import { Caller, dataOf, PartnerRole, TestApp } from "../support/harness";
import { globalIdOf } from "../support/kit";

let app: TestApp;
beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());

const contoso = () => app.as("contoso", PartnerRole.GLOBAL_ADMIN);

const PAGE = `query($first: Int, $after: String, $last: Int, $before: String, $filter: CustomerFilter, $orderBy: CustomerOrder) {
  customers(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    edges { cursor node { id companyName createdAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

type Page = { edges: { cursor: string; node: { id: string; companyName: string } }[]; pageInfo: any };

async function walk(caller: Caller, vars: Record<string, unknown>, direction: "forward" | "backward", size: number, between?: () => Promise<void>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const page: Page = dataOf(
      await caller.run(PAGE, direction === "forward" ? { ...vars, first: size, after: cursor } : { ...vars, last: size, before: cursor }),
    ).customers;
    const pageIds = page.edges.map((e) => e.node.id);
    if (direction === "forward") ids.push(...pageIds);
    else ids.unshift(...pageIds);
    const more = direction === "forward" ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
    if (!more) return ids;
    cursor = direction === "forward" ? page.pageInfo.endCursor : page.pageInfo.startCursor;
    if (between) await between();
  }
  throw new Error("pagination did not end");
}

async function expectedIds(filterSql: string, order: string, params: unknown[] = []): Promise<string[]> {
  const rows = await app.sql(
    `SELECT c.id FROM customer c JOIN customer_relationship r ON r.customer_id = c.id AND r.status = 'ACTIVE'
     JOIN partner p ON p.id = r.partner_id AND p.mpn_id = '1000001' WHERE ${filterSql} ORDER BY ${order}`,
    params,
  );
  return rows.map((r: { id: string }) => globalIdOf("Customer", r.id));
}

describe("customers pagination", () => {
  it.each([
    ["COMPANY_NAME", "ASC", "c.company_name ASC, c.id ASC"],
    ["COMPANY_NAME", "DESC", "c.company_name DESC, c.id DESC"],
    ["CREATED_AT", "ASC", "c.created_at ASC, c.id ASC"],
    ["UPDATED_AT", "DESC", "c.updated_at DESC, c.id DESC"],
  ])("walks a filtered list ordered by %s %s forward and backward, every row exactly once", async (field, direction, sqlOrder) => {
    const vars = { filter: { country: "US" }, orderBy: { field, direction } };
    const expected = await expectedIds("c.country = 'US'", sqlOrder);
    expect(expected.length).toBeGreaterThan(20);
    expect(await walk(contoso(), vars, "forward", 7)).toEqual(expected);
    expect(await walk(contoso(), vars, "backward", 7)).toEqual(expected);
  });

  it("stays stable while customers are inserted between pages: rows that existed are seen exactly once, in order", async () => {
    const vars = { orderBy: { field: "COMPANY_NAME", direction: "ASC" } };
    const before = await expectedIds("true", "c.company_name ASC, c.id ASC");
    let n = 0;
    const seen = await walk(contoso(), vars, "forward", 9, async () => {
      const name = ["Aaa Early Inserted", "Mmm Middle Inserted", "Zzz Late Inserted"][n++ % 3];
      dataOf(await contoso().run(CUSTOMER_CREATE, { input: customerInput({ billingProfile: { companyName: `${name} ${n}` } }) }));
    });
    expect(new Set(seen).size).toBe(seen.length);
    const existing = seen.filter((id) => before.includes(id));
    expect(existing).toEqual(before);
    expect(seen.length).toBeGreaterThan(before.length);
  });

  it("defaults to 50 rows and company name order; reports hasPreviousPage after a cursor", async () => {
    const first = dataOf(await contoso().run(PAGE, {})).customers;
    expect(first.edges).toHaveLength(50);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const names = first.edges.map((e: any) => e.node.companyName);
    expect([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toHaveLength(50);
    const second = dataOf(await contoso().run(PAGE, { first: 5, after: first.pageInfo.endCursor })).customers;
    expect(second.pageInfo.hasPreviousPage).toBe(true);
  });

  it.each([
    [{ first: 501 }, "first"],
    [{ first: -1 }, "first"],
    [{ last: 501 }, "last"],
    [{ first: 5, last: 5 }, "last"],
    [{ after: "not-a-cursor" }, "after"],
  ])("refuses %j with BAD_USER_INPUT", async (args, argument) => {
    const result = await contoso().run(PAGE, args);
    expect(result.data?.customers).toBeNull();
    expect(result.errors).toEqual([expect.objectContaining({ path: ["customers"], extensions: expect.objectContaining({ code: "BAD_USER_INPUT", argument }) })]);
  });

  it("refuses a cursor of another order", async () => {
    const page = dataOf(await contoso().run(PAGE, { first: 2, orderBy: { field: "CREATED_AT", direction: "ASC" } })).customers;
    const result = await contoso().run(PAGE, { first: 2, after: page.pageInfo.endCursor });
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("returns up to 500 rows and first: 0 returns none", async () => {
    expect(dataOf(await contoso().run(PAGE, { first: 500 })).customers.edges.length).toBeGreaterThan(50);
    expect(dataOf(await contoso().run(PAGE, { first: 0 })).customers.edges).toEqual([]);
  });

  it("counts totalCount only when it is selected (one more statement)", async () => {
    const without = await contoso().run(`{ customers(first: 5) { nodes { id } } }`);
    const withCount = await contoso().run(`{ customers(first: 5) { totalCount nodes { id } } }`);
    expect(withCount.sql).toBe(without.sql + 1);
    const expected = await expectedIds("true", "c.id");
    expect(withCount.data!.customers.totalCount).toBe(expected.length);
  });
});

describe("customers filters", () => {
  const count = async (filter: Record<string, unknown>, caller = contoso()) => dataOf(await caller.run(`query($f: CustomerFilter) { customers(filter: $f) { totalCount } }`, { f: filter })).customers.totalCount;

  it("search matches company names and any domain, case-insensitively", async () => {
    const prefix = uniquePrefix("Srch");
    dataOf(await contoso().run(CUSTOMER_CREATE, { input: customerInput({ companyProfile: { domainPrefix: prefix }, billingProfile: { companyName: "Quixotic Widgets" } }) }));
    expect(await count({ search: "QUIXOTIC widg" })).toBe(1);
    expect(await count({ search: prefix.slice(4).toUpperCase() })).toBe(1);
    const [extra] = await app.sql(
      `SELECT d.domain FROM customer_domain d JOIN customer_relationship r ON r.customer_id = d.customer_id AND r.status = 'ACTIVE' JOIN partner p ON p.id = r.partner_id AND p.mpn_id = '1000001' WHERE NOT d.is_default LIMIT 1`,
    );
    expect(await count({ search: extra.domain.split(".")[0] })).toBeGreaterThanOrEqual(1);
  });

  it("search treats %, _ and \\ as themselves", async () => {
    dataOf(await contoso().run(CUSTOMER_CREATE, { input: customerInput({ billingProfile: { companyName: "100% Pure_Juice \\ Co" } }) }));
    expect(await count({ search: "100%" })).toBe(1);
    expect(await count({ search: "Pure_J" })).toBe(1);
    expect(await count({ search: "\\ Co" })).toBe(1);
    expect(await count({ search: "%" })).toBe(1);
    expect(await count({ search: "_" })).toBe(1);
  });

  it("filters by company name prefix, domain prefix, country, delegated admin and creation window", async () => {
    const all = await expectedIds("true", "c.id");
    expect(await count({ companyNamePrefix: "alpine" })).toBe((await expectedIds("lower(c.company_name) LIKE 'alpine%'", "c.id")).length);
    expect(await count({ domainPrefix: "alpine" })).toBe((await expectedIds("EXISTS (SELECT 1 FROM customer_domain d WHERE d.customer_id = c.id AND d.domain LIKE 'alpine%')", "c.id")).length);
    expect(await count({ country: "ca" })).toBe((await expectedIds("c.country = 'CA'", "c.id")).length);
    const withAdmin = await count({ hasDelegatedAdmin: true });
    const withoutAdmin = await count({ hasDelegatedAdmin: false });
    expect(withAdmin + withoutAdmin).toBe(all.length);
    expect(withoutAdmin).toBeGreaterThan(0);
    const window = { createdAfter: "2025-06-01T00:00:00.000Z", createdBefore: "2026-01-01T00:00:00.000Z" };
    expect(await count(window)).toBe((await expectedIds("c.created_at > '2025-06-01' AND c.created_at < '2026-01-01'", "c.id")).length);
  });

  it("lists removed customers only when asked for REMOVED", async () => {
    const removed = await app.sql(
      `SELECT count(*)::int AS n FROM customer_relationship r JOIN partner p ON p.id = r.partner_id AND p.mpn_id = '1000001' WHERE r.status = 'REMOVED'`,
    );
    expect(removed[0].n).toBeGreaterThan(0);
    const result = dataOf(await contoso().run(`{ customers(filter: { relationshipStatus: REMOVED }) { totalCount nodes { relationship { status removedAt delegatedAdmin } } } }`));
    expect(result.customers.totalCount).toBe(removed[0].n);
    expect(result.customers.nodes.every((n: any) => n.relationship.status === "REMOVED" && n.relationship.removedAt && !n.relationship.delegatedAdmin)).toBe(true);
  });

  it("lets a provider filter by indirect reseller and a reseller by indirect provider", async () => {
    const northwind = dataOf(await app.as("northwind", PartnerRole.GLOBAL_ADMIN).run(`{ viewer { partner { id } } }`)).viewer.partner.id;
    const fabrikam = dataOf(await app.as("fabrikam", PartnerRole.GLOBAL_ADMIN).run(`{ viewer { partner { id } } }`)).viewer.partner.id;
    const viaReseller = dataOf(
      await app.as("fabrikam", PartnerRole.GLOBAL_ADMIN).run(`query($id: ID!) { customers(filter: { indirectResellerId: $id }) { totalCount nodes { indirectReseller { name } } } }`, { id: northwind }),
    ).customers;
    expect(viaReseller.totalCount).toBeGreaterThan(0);
    expect(viaReseller.nodes.every((n: any) => n.indirectReseller.name === "Northwind Solutions")).toBe(true);
    const viaProvider = dataOf(
      await app.as("northwind", PartnerRole.GLOBAL_ADMIN).run(`query($id: ID!) { customers(filter: { indirectProviderId: $id }) { totalCount nodes { indirectProvider { name } } } }`, { id: fabrikam }),
    ).customers;
    expect(viaProvider.totalCount).toBeGreaterThan(0);
    expect(viaProvider.nodes.every((n: any) => n.indirectProvider.name === "Fabrikam Distribution")).toBe(true);
    // the provider sees every customer its ACTIVE linked reseller serves: those it created through it and the reseller's own
    const allOfReseller = dataOf(await app.as("northwind", PartnerRole.GLOBAL_ADMIN).run(`{ customers { totalCount } }`)).customers.totalCount;
    expect(viaReseller.totalCount).toBe(allOfReseller);
    expect(viaReseller.totalCount).toBeGreaterThan(viaProvider.totalCount);
    const bad = await contoso().run(`{ customers(filter: { indirectResellerId: "junk" }) { totalCount } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("customer and customerByDomain", () => {
  it("opens a customer by any of its domains, in any case", async () => {
    const prefix = uniquePrefix("ByDom");
    const created = dataOf(await contoso().run(CUSTOMER_CREATE, { input: customerInput({ companyProfile: { domainPrefix: prefix } }) })).customerCreate.customer;
    const found = dataOf(await contoso().run(`query($d: String!) { customerByDomain(domain: $d) { id companyProfile { domain tenantId } } }`, { d: `${prefix.toUpperCase()}.OnMicrosoft.com` }));
    expect(found.customerByDomain).toEqual({ id: created.id, companyProfile: { domain: created.defaultDomain, tenantId: created.tenantId } });
  });
});
