import { BILLING_UPDATE } from "./support/fixtures";
import { dataOf, PartnerRole, TestApp } from "./support/harness";
import { dbIdOf, globalIdOf } from "./support/kit";

/** Another partner's objects behave exactly like objects that do not exist. */
let app: TestApp;
let theirs: { id: string; domain: string; name: string; subscriptionId: string; auditId: string; partnerId: string; userId: string };
let missing: { id: string; subscriptionId: string };

beforeAll(async () => {
  app = await TestApp.start();
  // an Adatum (DE) customer with an active subscription, unknown to Contoso
  const [row] = await app.sql(`
    SELECT c.id, c.default_domain, c.company_name, s.id AS subscription_id, a.id AS audit_id, p.id AS partner_id, u.id AS user_id
    FROM customer c
    JOIN customer_relationship r ON r.customer_id = c.id AND r.status = 'ACTIVE'
    JOIN partner p ON p.id = r.partner_id AND p.mpn_id = '1000006'
    JOIN subscription s ON s.customer_id = c.id AND s.status = 'ACTIVE'
    JOIN audit_record a ON a.customer_id = c.id
    JOIN partner_user u ON u.partner_id = p.id
    LIMIT 1`);
  theirs = {
    id: globalIdOf("Customer", row.id),
    domain: row.default_domain,
    name: row.company_name,
    subscriptionId: globalIdOf("Subscription", row.subscription_id),
    auditId: globalIdOf("AuditRecord", row.audit_id),
    partnerId: globalIdOf("Partner", row.partner_id),
    userId: globalIdOf("PartnerUser", row.user_id),
  };
  missing = { id: globalIdOf("Customer", "00000000-0000-4000-8000-000000000001"), subscriptionId: globalIdOf("Subscription", "00000000-0000-4000-8000-000000000002") };
});
afterAll(() => app?.close());

const contoso = () => app.as("contoso", PartnerRole.GLOBAL_ADMIN, PartnerRole.ADMIN_AGENT);

describe("another partner's customer", () => {
  it("is invisible to customer, customerByDomain, node and nodes, exactly like a missing id", async () => {
    const query = `query($id: ID!, $domain: String!, $ids: [ID!]!) {
      customer(id: $id) { id } customerByDomain(domain: $domain) { id } node(id: $id) { id } nodes(ids: $ids) { id }
    }`;
    const seen = await contoso().run(query, { id: theirs.id, domain: theirs.domain, ids: [theirs.id, theirs.subscriptionId, theirs.auditId, theirs.partnerId, theirs.userId] });
    const absent = await contoso().run(query, { id: missing.id, domain: "nobody.onmicrosoft.com", ids: [missing.id, missing.subscriptionId, missing.id, missing.id, missing.id] });
    expect(seen.errors).toBeUndefined();
    expect(seen.data).toEqual({ customer: null, customerByDomain: null, node: null, nodes: [null, null, null, null, null] });
    expect(seen.data).toEqual(absent.data);
  });

  it("never appears in lists, whatever the filter", async () => {
    const result = dataOf(
      await contoso().run(`query($search: String!, $prefix: String!) {
        all: customers(first: 500) { totalCount nodes { id } }
        search: customers(filter: { search: $search }) { totalCount }
        byDomain: customers(filter: { domainPrefix: $prefix }) { totalCount }
        byCountry: customers(filter: { country: "DE" }) { totalCount }
        removed: customers(filter: { relationshipStatus: REMOVED }, first: 500) { nodes { id } }
        audit: auditRecords(first: 500) { nodes { customer { id } } }
      }`, { search: theirs.name, prefix: theirs.domain.slice(0, 8) }),
    );
    const ids = [...result.all.nodes, ...result.removed.nodes].map((n: { id: string }) => n.id);
    expect(ids).not.toContain(theirs.id);
    expect(result.audit.nodes.map((n: any) => n.customer?.id)).not.toContain(theirs.id);
    expect(result.byDomain.totalCount).toBe(0);
    expect(result.byCountry.totalCount).toBe(0);
    const own = await app.sql(
      `SELECT count(*)::int AS n FROM customer c JOIN customer_relationship r ON r.customer_id = c.id AND r.status = 'ACTIVE' JOIN partner p ON p.id = r.partner_id AND p.mpn_id = '1000001' WHERE lower(c.company_name) LIKE '%' || lower($1) || '%'`,
      [theirs.name],
    );
    expect(result.search.totalCount).toBe(own[0].n);
  });

  it("cannot be changed by any mutation: NOT_FOUND, as for a missing id", async () => {
    for (const id of [theirs.id, missing.id]) {
      const update = dataOf(await contoso().run(BILLING_UPDATE, { input: { customerId: id, billingProfile: { firstName: "Mallory" } } })).customerBillingProfileUpdate;
      expect(update.userErrors).toEqual([expect.objectContaining({ code: "NOT_FOUND", field: ["input", "customerId"] })]);
      const sale = dataOf(
        await contoso().run(`mutation($input: SubscriptionCreateInput!) { subscriptionCreate(input: $input) { subscription { id } userErrors { code field } } }`, {
          input: { customerId: id, offerName: "Microsoft 365 E3", kind: "LICENSE", quantity: 1 },
        }),
      ).subscriptionCreate;
      expect(sale.userErrors).toEqual([{ code: "NOT_FOUND", field: ["input", "customerId"] }]);
    }
    for (const id of [theirs.subscriptionId, missing.subscriptionId]) {
      const result = dataOf(
        await contoso().run(`mutation($id: ID!) {
          subscriptionSuspend(input: { id: $id }) { userErrors { code field } }
          subscriptionReactivate(input: { id: $id }) { userErrors { code field } }
        }`, { id }),
      );
      expect(result.subscriptionSuspend.userErrors).toEqual([{ code: "NOT_FOUND", field: ["input", "id"] }]);
      expect(result.subscriptionReactivate.userErrors).toEqual([{ code: "NOT_FOUND", field: ["input", "id"] }]);
    }
    const [row] = await app.sql("SELECT billing_first_name FROM customer WHERE id = $1", [dbIdOf(theirs.id)]);
    expect(row.billing_first_name).not.toBe("Mallory");
  });

  it("is invisible across clouds too: US Government and commercial never see each other", async () => {
    const [gov] = await app.sql(`SELECT c.id FROM customer c JOIN customer_relationship r ON r.customer_id = c.id JOIN partner p ON p.id = r.partner_id AND p.cloud = 'US_GOVERNMENT' LIMIT 1`);
    const fromCommercial = await contoso().run(`query($id: ID!) { node(id: $id) { id } }`, { id: globalIdOf("Customer", gov.id) });
    expect(fromCommercial.data).toEqual({ node: null });
    const govList = dataOf(await app.as("tailspin", PartnerRole.GLOBAL_ADMIN).run(`{ customers(first: 500) { nodes { id } } }`));
    const commercialIds = (await app.sql(`SELECT c.id FROM customer c WHERE c.cloud = 'COMMERCIAL'`)).map((r: { id: string }) => globalIdOf("Customer", r.id));
    expect(govList.customers.nodes.length).toBeGreaterThan(0);
    expect(govList.customers.nodes.filter((n: { id: string }) => commercialIds.includes(n.id))).toEqual([]);
  });
});
