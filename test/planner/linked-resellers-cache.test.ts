import { dataOf, PartnerRole, TestApp } from "../support/harness";

/**
 * A provider's lists name its linked resellers from a per-process cache (so
 * PostgreSQL plans the page from the ids); each link is re-checked in the same
 * statement. A link ended where this process's cache did not hear of it (another
 * instance without Redis, simulated by a direct UPDATE) must hide the reseller's
 * customers at once, on the planned path and on the loader path.
 */
const LIST = `{ customers(first: 500) { totalCount nodes { companyName indirectReseller { name } } } }`;

for (const planner of ["on", "off"]) {
  describe(`READ_PLANNER=${planner}`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await TestApp.start({ env: { READ_PLANNER: planner } });
    });
    afterAll(() => app?.close());

    it("hides an ended link's customers although the cached list still names the reseller", async () => {
      const fabrikam = app.as("fabrikam", PartnerRole.GLOBAL_ADMIN);
      const before = dataOf(await fabrikam.run(LIST)).customers;
      const throughNorthwind = before.nodes.filter((n: any) => n.indirectReseller?.name === "Northwind Solutions");
      expect(throughNorthwind.length).toBeGreaterThan(0);
      await app.sql(
        `UPDATE indirect_relationship SET status = 'REMOVED', removed_at = now()
          WHERE provider_id = (SELECT id FROM partner WHERE mpn_id = '1000002') AND reseller_id = (SELECT id FROM partner WHERE mpn_id = '1000003')`,
      );
      const after = dataOf(await fabrikam.run(LIST)).customers;
      const ownNorthwind = await app.sql(
        `SELECT count(*)::int AS n FROM customer_relationship r JOIN partner p ON p.id = r.partner_id AND p.mpn_id = '1000002'
          WHERE r.status = 'ACTIVE' AND r.indirect_reseller_id = (SELECT id FROM partner WHERE mpn_id = '1000003')`,
      );
      // only the provider's own relationships that name Northwind remain
      expect(after.nodes.filter((n: any) => n.indirectReseller?.name === "Northwind Solutions").length).toBe(ownNorthwind[0].n);
      expect(after.totalCount).toBe(after.nodes.length);
      expect(after.nodes.length).toBeLessThan(before.nodes.length);
    });
  });
}
