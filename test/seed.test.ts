import fs from "node:fs";
import path from "node:path";
import { seedDemoData } from "../src/db/seed/demo-data";
import { TestApp } from "./support/harness";

/** The demo data of API.md section 6: deterministic, every state present. */
let app: TestApp;
beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());

describe("demo data", () => {
  it("holds the six partners with a user per role", async () => {
    const partners = await app.sql(`SELECT p.mpn_id, p.type, p.cloud, p.country, count(u.id)::int AS users FROM partner p JOIN partner_user u ON u.partner_id = p.id GROUP BY p.id ORDER BY p.mpn_id`);
    expect(partners).toEqual([
      { mpn_id: "1000001", type: "DIRECT_BILL", cloud: "COMMERCIAL", country: "US", users: 9 },
      { mpn_id: "1000002", type: "INDIRECT_PROVIDER", cloud: "COMMERCIAL", country: "US", users: 9 },
      { mpn_id: "1000003", type: "INDIRECT_RESELLER", cloud: "COMMERCIAL", country: "US", users: 9 },
      { mpn_id: "1000004", type: "INDIRECT_RESELLER", cloud: "COMMERCIAL", country: "CA", users: 9 },
      { mpn_id: "1000005", type: "DIRECT_BILL", cloud: "US_GOVERNMENT", country: "US", users: 9 },
      { mpn_id: "1000006", type: "DIRECT_BILL", cloud: "COMMERCIAL", country: "DE", users: 9 },
    ]);
    const links = await app.sql(`SELECT pp.mpn_id AS provider, rp.mpn_id AS reseller, l.status FROM indirect_relationship l JOIN partner pp ON pp.id = l.provider_id JOIN partner rp ON rp.id = l.reseller_id`);
    expect(links).toEqual([{ provider: "1000002", reseller: "1000003", status: "ACTIVE" }]);
  });

  it("holds 200+ customers in every relationship state, subscriptions of every kind and status, and purchase permissions", async () => {
    const [{ n }] = await app.sql(`SELECT count(*)::int AS n FROM customer`);
    expect(n).toBeGreaterThanOrEqual(200);
    const states = await app.sql(`SELECT DISTINCT status, established_via FROM customer_relationship ORDER BY 1, 2`);
    expect(states.map((s: any) => `${s.status}/${s.established_via}`)).toEqual(expect.arrayContaining(["ACTIVE/CREATED", "ACTIVE/INVITATION", "REMOVED/CREATED"]));
    const kinds = await app.sql(`SELECT DISTINCT kind, status FROM subscription`);
    for (const kind of ["LICENSE", "AZURE_PLAN", "AZURE_RESERVATION", "SOFTWARE"]) {
      for (const status of ["ACTIVE", "SUSPENDED", "CANCELLED"]) expect(kinds).toContainEqual({ kind, status });
    }
    const [{ grants }] = await app.sql(`SELECT count(*)::int AS grants FROM purchase_permission`);
    expect(grants).toBeGreaterThan(0);
  });

  it("lists exactly the unserved tenants the README names", async () => {
    const rows = await app.sql(
      `SELECT tenant_id, default_domain, cloud FROM customer c WHERE NOT EXISTS (SELECT 1 FROM customer_relationship r WHERE r.customer_id = c.id) ORDER BY created_at`,
    );
    const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    expect(rows).toHaveLength(8);
    for (const row of rows) expect(readme).toContain(`| ${row.tenant_id} | ${row.default_domain} | ${row.cloud} |`);
  });

  it("loads nothing into a database that holds data", async () => {
    expect(await seedDemoData(app.database.dataSource)).toBeNull();
  });
});
