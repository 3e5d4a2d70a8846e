import { dataOf, PartnerRole, TestApp } from "../support/harness";

/**
 * The read planner's plan cache: one plan per document shape, reused across
 * variable values, bounded in entries (least recently used out first).
 */
let app: TestApp;
const caller = () => app.as("contoso", PartnerRole.GLOBAL_ADMIN);
const stats = () => ({ ...app.app.planner!.stats });

const LIST = `query List($first: Int, $search: String, $after: String) {
  customers(first: $first, after: $after, filter: { search: $search }) { nodes { id companyName domains subscriptions(first: 2) { nodes { id } } } pageInfo { endCursor } }
}`;

beforeAll(async () => {
  app = await TestApp.start({ env: { PLAN_CACHE_ENTRIES: "3" } });
});
afterAll(() => app?.close());

describe("plan cache", () => {
  it("plans a document once and reuses the plan for other variable values", async () => {
    const before = stats();
    const first = dataOf(await caller().run(LIST, { first: 5, search: "a" })).customers;
    const second = await caller().run(LIST, { first: 7, search: "e" });
    const third = await caller().run(LIST, { first: 3, search: "o", after: null });
    const after = stats();
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(2);
    expect(first.nodes).toHaveLength(5);
    expect(dataOf(second).customers.nodes).toHaveLength(7);
    expect(dataOf(third).customers.nodes).toHaveLength(3);
    expect([second.sql, third.sql]).toEqual([1, 1]);
  });

  it("plans again when a variable's presence changes the statement (a cursor given)", async () => {
    const page = dataOf(await caller().run(LIST, { first: 2, search: "a" })).customers;
    const before = stats();
    const next = await caller().run(LIST, { first: 2, search: "a", after: page.pageInfo.endCursor });
    expect(stats().misses - before.misses).toBe(1);
    expect(dataOf(next).customers.nodes[0].id).not.toBe(page.nodes[0].id);
  });

  it("keeps at most PLAN_CACHE_ENTRIES plans, evicting the least recently used", async () => {
    for (let n = 1; n <= 6; n++) {
      dataOf(await caller().run(`query Distinct${n} { customers(first: ${n}) { nodes { id } } }`));
      expect(stats().size).toBeLessThanOrEqual(3);
    }
    expect(stats().size).toBe(3);
    const before = stats();
    // the first of the six was evicted: planned again
    dataOf(await caller().run(`query Distinct1 { customers(first: 1) { nodes { id } } }`));
    expect(stats().misses - before.misses).toBe(1);
    // the last of the six is still cached
    dataOf(await caller().run(`query Distinct6 { customers(first: 6) { nodes { id } } }`));
    expect(stats().hits - before.hits).toBe(1);
  });
});
