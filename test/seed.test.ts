import fs from "node:fs";
import path from "node:path";
import { seedDemoData, unservedTenantId } from "../src/db/seed/demo-data";
import { dataOf, PartnerRole, TestApp } from "./support/harness";

/** The demo data of API.md section 6: deterministic, every state present. */
let app: TestApp;
beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());

describe("demo data", () => {
  it("holds the six partners of API.md and four more resellers, with a user per role", async () => {
    const partners = await app.sql(`SELECT p.mpn_id, p.type, p.cloud, p.country, count(u.id)::int AS users FROM partner p JOIN partner_user u ON u.partner_id = p.id GROUP BY p.id ORDER BY p.mpn_id`);
    expect(partners).toEqual([
      { mpn_id: "1000001", type: "DIRECT_BILL", cloud: "COMMERCIAL", country: "US", users: 9 },
      { mpn_id: "1000002", type: "INDIRECT_PROVIDER", cloud: "COMMERCIAL", country: "US", users: 9 },
      { mpn_id: "1000003", type: "INDIRECT_RESELLER", cloud: "COMMERCIAL", country: "US", users: 9 },
      { mpn_id: "1000004", type: "INDIRECT_RESELLER", cloud: "COMMERCIAL", country: "CA", users: 9 },
      { mpn_id: "1000005", type: "DIRECT_BILL", cloud: "US_GOVERNMENT", country: "US", users: 9 },
      { mpn_id: "1000006", type: "DIRECT_BILL", cloud: "COMMERCIAL", country: "DE", users: 9 },
      { mpn_id: "1000007", type: "INDIRECT_RESELLER", cloud: "COMMERCIAL", country: "DE", users: 9 },
      { mpn_id: "1000008", type: "INDIRECT_RESELLER", cloud: "COMMERCIAL", country: "US", users: 9 },
      { mpn_id: "1000009", type: "INDIRECT_RESELLER", cloud: "COMMERCIAL", country: "US", users: 9 },
      { mpn_id: "1000010", type: "INDIRECT_RESELLER", cloud: "COMMERCIAL", country: "US", users: 9 },
    ]);
    const [{ unsigned }] = await app.sql(`SELECT mpn_id AS unsigned FROM partner WHERE NOT mpa_signed`);
    expect(unsigned).toBe("1000008");
    const links = await app.sql(
      `SELECT pp.mpn_id AS provider, rp.mpn_id AS reseller, l.status FROM indirect_relationship l JOIN partner pp ON pp.id = l.provider_id JOIN partner rp ON rp.id = l.reseller_id ORDER BY rp.mpn_id`,
    );
    expect(links).toEqual([
      { provider: "1000002", reseller: "1000003", status: "ACTIVE" },
      { provider: "1000002", reseller: "1000009", status: "PENDING" },
      { provider: "1000002", reseller: "1000010", status: "REMOVED" },
    ]);
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

  it("holds relationship requests in every state, including a joint one, whose invitation URLs can be accepted", async () => {
    const states = await app.sql(
      `SELECT DISTINCT CASE WHEN status = 'PENDING' AND expires_at <= now() THEN 'EXPIRED' ELSE status END AS state FROM relationship_request ORDER BY 1`,
    );
    expect(states.map((s: any) => s.state)).toEqual(["ACCEPTED", "CANCELLED", "EXPIRED", "PENDING"]);
    const fabrikam = app.as("fabrikam", PartnerRole.ADMIN_AGENT);
    const pending = dataOf(
      await fabrikam.run(`{ relationshipRequests(filter: { status: PENDING }) { nodes { id invitationUrl indirectReseller { name } customerDomain } } }`),
    ).relationshipRequests.nodes;
    const joint = pending.find((r: any) => r.indirectReseller?.name === "Northwind Solutions");
    expect(joint.invitationUrl).toMatch(/\/invitations\/accept\?token=[A-Za-z0-9_-]{43}$/);
    const token = new URL(joint.invitationUrl).searchParams.get("token");
    const [tenant] = await app.sql(`SELECT tenant_id FROM customer WHERE tenant_id = $1`, [unservedTenantId("relecloud")]);
    const accepted = await app.anonymous().run(
      `mutation($input: RelationshipRequestAcceptInput!) { relationshipRequestAccept(input: $input) { relationshipRequest { status } customer { companyName } userErrors { code } } }`,
      { input: { invitationToken: token, customerTenantId: tenant.tenant_id } },
    );
    expect(dataOf(accepted).relationshipRequestAccept).toEqual({ relationshipRequest: { status: "ACCEPTED" }, customer: { companyName: "Relecloud" }, userErrors: [] });
    const servedBy = await app.sql(
      `SELECT p.mpn_id, r.indirect_reseller_id IS NOT NULL AS via_reseller, r.indirect_provider_id IS NOT NULL AS via_provider, r.delegated_admin
         FROM customer_relationship r JOIN partner p ON p.id = r.partner_id JOIN customer c ON c.id = r.customer_id WHERE c.tenant_id = $1 ORDER BY p.mpn_id`,
      [tenant.tenant_id],
    );
    expect(servedBy).toEqual([
      { mpn_id: "1000002", via_reseller: true, via_provider: false, delegated_admin: true },
      { mpn_id: "1000003", via_reseller: false, via_provider: true, delegated_admin: true },
    ]);
    // put the tenant back among the unserved ones for the README check below
    await app.sql(`DELETE FROM audit_record WHERE customer_id = (SELECT id FROM customer WHERE tenant_id = $1)`, [tenant.tenant_id]);
    await app.sql(`UPDATE relationship_request SET customer_id = NULL WHERE customer_id = (SELECT id FROM customer WHERE tenant_id = $1)`, [tenant.tenant_id]);
    await app.sql(`DELETE FROM customer_relationship WHERE customer_id = (SELECT id FROM customer WHERE tenant_id = $1)`, [tenant.tenant_id]);
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
    expect(await seedDemoData(app.database.dataSource, "any secret")).toBeNull();
  });
});
