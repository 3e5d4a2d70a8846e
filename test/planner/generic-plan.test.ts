import { Client } from "pg";
import { WORKLOAD_A } from "../../bench/workloads";
import { dataOf, PartnerRole, TestApp } from "../support/harness";

/**
 * A named page (its text names the caller's partners) carries its LIMIT as a literal, so that PostgreSQL's
 * plan cache settles on the generic plan after its first executions. With the limit a parameter the generic
 * plan is costed for a tenth of the table and every execution was planned again (0.7 ms of 1.8 ms on (a)).
 */
let app: TestApp;
const sent: { name?: string; text: string; values?: unknown[] }[] = [];
const originalQuery = Client.prototype.query;

beforeAll(async () => {
  app = await TestApp.start();
  Client.prototype.query = function (this: Client, config: unknown, ...rest: unknown[]) {
    if (config && typeof config === "object" && "text" in config) sent.push(config as (typeof sent)[number]);
    return (originalQuery as (...args: unknown[]) => unknown).call(this, config, ...rest);
  } as typeof Client.prototype.query;
});
afterAll(async () => {
  Client.prototype.query = originalQuery;
  await app?.close();
});

it("runs the page of (a) as a named statement with a literal LIMIT that PostgreSQL plans generically", async () => {
  const caller = app.as("contoso", PartnerRole.GLOBAL_ADMIN, PartnerRole.ADMIN_AGENT);
  sent.length = 0;
  const data = dataOf(await caller.run(WORKLOAD_A, { first: 3 }));
  expect(data.customers.nodes).toHaveLength(3);
  const page = sent.find((q) => q.name?.startsWith("rp_") && q.text.includes("ORDER BY"));
  expect(page).toBeDefined();
  expect(page!.text).toMatch(/ LIMIT 4$/);

  // the same text and values on a session of its own: after the plan cache's first custom plans, generic ones
  const client = new Client({ connectionString: app.config.databaseUrl });
  await client.connect();
  try {
    for (let i = 0; i < 8; i++) expect((await client.query({ name: page!.name, text: page!.text, values: page!.values })).rows).toHaveLength(4);
    const [stats] = (await client.query(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1`, [page!.name])).rows;
    expect(Number(stats.generic_plans)).toBeGreaterThan(0);
  } finally {
    await client.end();
  }
});

it("keeps the LIMIT a parameter in a filtered page (planned for its values each time, never named)", async () => {
  const caller = app.as("contoso", PartnerRole.GLOBAL_ADMIN);
  sent.length = 0;
  dataOf(await caller.run(`query { customers(first: 2, filter: { search: "a" }) { nodes { id } } }`));
  const page = sent.find((q) => q.text.includes("ORDER BY") && q.text.includes("FROM customer"));
  expect(page).toBeDefined();
  expect(page!.name).toBeUndefined();
  expect(page!.text).toMatch(/ LIMIT \$\d+$/);
});
