import { dataOf, PartnerRole, TestApp } from "../support/harness";

/**
 * Each database connection keeps a bounded number of the planner's named statements per kind (lookups by key,
 * pages naming their partners); past the bound it deallocates the least recently used one, so the shapes in
 * use now stay prepared however many came before. One connection (pool of 1): what it holds is what
 * pg_prepared_statements shows.
 */
let app: TestApp;
const caller = () => app.as("contoso", PartnerRole.GLOBAL_ADMIN);

/** Three lookups by key whose statements differ (each reads other columns). */
const LOOKUPS = [
  `query L0($id: ID!) { customer(id: $id) { id } }`,
  `query L1($id: ID!) { customer(id: $id) { id companyName } }`,
  `query L2($id: ID!) { customer(id: $id) { id defaultDomain } }`,
];
const PAGES = [`{ customers(first: 2) { nodes { id } } }`, `{ customers(first: 2) { nodes { id companyName } } }`];

let id: string;
let expected: { companyName: string; defaultDomain: string };

/** The planner's statements the connection holds, as PostgreSQL lists them. */
async function held(): Promise<{ name: string; statement: string }[]> {
  return app.sql(`SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'rp\\_%' ORDER BY prepare_time`);
}

async function lookup(index: number) {
  const result = await caller().run(LOOKUPS[index]!, { id });
  const customer = dataOf(result).customer;
  expect(customer.id).toBe(id);
  if (index === 1) expect(customer.companyName).toBe(expected.companyName);
  if (index === 2) expect(customer.defaultDomain).toBe(expected.defaultDomain);
  return result;
}

const lookupsHeld = async () => (await held()).filter((s) => !s.statement.includes("ORDER BY")).map((s) => s.statement);
/** Which lookup a statement is: L1 reads the company name, L2 the default domain, L0 neither. */
const textOf = (index: number) => ({ test: (text: string) => (index === 0 ? !/"companyName"|"defaultDomain"/.test(text) : text.includes(index === 1 ? '"companyName"' : '"defaultDomain"')) });

beforeAll(async () => {
  app = await TestApp.start({ env: { DATABASE_POOL_SIZE: "1", PREPARED_LOOKUPS_PER_CONNECTION: "2", PREPARED_PAGES_PER_CONNECTION: "1" } });
  const first = dataOf(await caller().run(`{ customers(first: 1) { nodes { id companyName defaultDomain } } }`)).customers.nodes[0];
  id = first.id;
  expected = first;
});
afterAll(() => app?.close());

describe("prepared statements per connection", () => {
  it("keeps at most the bound of lookups, deallocating the least recently used, and a deallocated one prepares again", async () => {
    const before = app.app.planner!.stats.deallocated;
    for (const index of [0, 1, 2]) await lookup(index);
    let statements = await lookupsHeld();
    expect(statements).toHaveLength(2);
    expect(statements.some((s) => textOf(0).test(s))).toBe(false); // L0 was the least recently used
    expect(statements.some((s) => textOf(1).test(s)) && statements.some((s) => textOf(2).test(s))).toBe(true);
    expect(app.app.planner!.stats.deallocated - before).toBe(1);

    // L0 again: pg must send its Parse again (its record of the connection's statements forgot it too)
    await lookup(0);
    statements = await lookupsHeld();
    expect(statements).toHaveLength(2);
    expect(statements.some((s) => textOf(0).test(s))).toBe(true);
    expect(statements.some((s) => textOf(1).test(s))).toBe(false);
  });

  it("a use makes a statement the most recently used: the other one goes first", async () => {
    // held now: L2, L0 (oldest first); using L2 makes L0 the oldest
    await lookup(2);
    await lookup(1);
    const statements = await lookupsHeld();
    expect(statements.some((s) => textOf(2).test(s))).toBe(true);
    expect(statements.some((s) => textOf(1).test(s))).toBe(true);
    expect(statements.some((s) => textOf(0).test(s))).toBe(false);
    // a request that made room still ran one statement of its own (the DEALLOCATE is counted apart)
    const before = app.app.planner!.stats.deallocated;
    const evicting = await lookup(0);
    expect(app.app.planner!.stats.deallocated - before).toBe(1);
    expect(evicting.sql).toBe(1);
  });

  it("pages are bounded apart from lookups", async () => {
    for (const page of PAGES) expect(dataOf(await caller().run(page)).customers.nodes).toHaveLength(2);
    const pages = (await held()).filter((s) => s.statement.includes("ORDER BY"));
    expect(pages).toHaveLength(1);
    expect(pages[0]!.statement).toContain('"companyName"');
    expect(await lookupsHeld()).toHaveLength(2);
  });
});
