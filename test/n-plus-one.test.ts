import { customerInput, CUSTOMER_CREATE } from "./support/fixtures";
import { dataOf, PartnerRole, TestApp } from "./support/harness";
import { dbIdOf, globalIdOf } from "./support/kit";

/** SQL statements per request must not grow with the page size. */
let app: TestApp;
const fabrikam = () => app.as("fabrikam", PartnerRole.GLOBAL_ADMIN);

beforeAll(async () => {
  app = await TestApp.start();
  // the first customer in name order carries every relation, so every page size loads every kind of row
  const northwind = dataOf(await app.as("northwind", PartnerRole.GLOBAL_ADMIN).run(`{ viewer { partner { id } } }`)).viewer.partner.id;
  const customer = dataOf(
    await fabrikam().run(CUSTOMER_CREATE, { input: customerInput({ indirectResellerId: northwind, billingProfile: { companyName: "AAAA Every Relation Ltd" } }) }),
  ).customerCreate.customer;
  const plan = dataOf(
    await fabrikam().run(`mutation($input: SubscriptionCreateInput!) { subscriptionCreate(input: $input) { subscription { id } } }`, {
      input: { customerId: customer.id, offerName: "Azure plan", kind: "AZURE_PLAN", quantity: 1 },
    }),
  ).subscriptionCreate.subscription;
  // and the second is a customer of the linked reseller only, which the provider sees through the link
  await app.as("northwind", PartnerRole.GLOBAL_ADMIN).run(CUSTOMER_CREATE, { input: customerInput({ billingProfile: { companyName: "AAAB Through The Reseller Ltd" } }) });
  await app.sql(
    `INSERT INTO purchase_permission (partner_id, customer_id, subscription_id, resource, granted_by)
     SELECT p.id, $1, $2, 'AZURE_RESERVATIONS', u.id FROM partner p JOIN partner_user u ON u.partner_id = p.id AND 'ADMIN_AGENT' = ANY(u.roles) WHERE p.mpn_id = '1000002'`,
    [dbIdOf(customer.id), dbIdOf(plan.id)],
  );
});
afterAll(() => app?.close());

const LIST = `query($first: Int!) {
  viewer { user { email } partner { name } }
  customers(first: $first) {
    totalCount
    nodes {
      id companyName domains
      billingProfile { email address { country } }
      relationship { status delegatedAdmin }
      delegatedAdmin
      indirectReseller { name }
      indirectProvider { name }
      subscriptions(first: 3) { totalCount nodes { id kind status } }
      purchasePermissions { resource grantedBy { email } subscription { id } }
      auditRecords(first: 2) { nodes { operationType customer { id } } }
    }
  }
}`;

describe("customers(first: N) with billing profile, relationship, indirect partners, subscriptions, purchase permissions and audit records", () => {
  it("runs the same number of SQL statements for 2, 10 and 50 customers", async () => {
    const counts: number[] = [];
    await fabrikam().run(LIST, { first: 50 }); // partner rows shown for display come from a process cache after this
    for (const first of [2, 10, 50]) {
      const result = await fabrikam().run(LIST, { first });
      const nodes = dataOf(result).customers.nodes;
      expect(nodes).toHaveLength(Math.min(first, dataOf(result).customers.totalCount));
      expect(nodes[0]).toMatchObject({ companyName: "AAAA Every Relation Ltd", indirectReseller: { name: "Northwind Solutions" }, purchasePermissions: [expect.anything()] });
      expect(nodes[1]).toMatchObject({ companyName: "AAAB Through The Reseller Ltd", relationship: null, indirectReseller: { name: "Northwind Solutions" }, purchasePermissions: [] });
      counts.push(result.sql);
    }
    expect(counts).toEqual([counts[0], counts[0], counts[0]]);
    // viewer.user, viewer.partner, the planned page (relationships, domains, subscriptions with their counts,
    // purchase permissions with their plans, audit records), the page's totalCount, the granting users (not planned),
    // the audit records' customers (the planned page holds only the columns this document reads of them, so it
    // does not hand its customers to other fields)
    expect(counts[0]).toBe(6);
  });
});

const SUBSCRIPTIONS = `query($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Subscription {
      id kind status
      customer { id companyName domains relationship { status } indirectReseller { name } subscriptions(first: 2) { nodes { id customer { id } } } }
    }
  }
}`;

describe("a page of subscriptions with their customer", () => {
  it("runs the same number of SQL statements for 2, 10 and 25 subscriptions of as many customers", async () => {
    // one subscription per customer, so each customer is looked up through Subscription.customer (not found on an earlier page)
    const rows: { id: string; customer_id: string }[] = await app.sql(
      `SELECT DISTINCT ON (s.customer_id) s.id, s.customer_id FROM subscription s
         JOIN partner p ON p.id = s.partner_id AND p.mpn_id = '1000002'
         JOIN customer_relationship r ON r.partner_id = p.id AND r.customer_id = s.customer_id AND r.status = 'ACTIVE'
        ORDER BY s.customer_id, s.created_at LIMIT 25`,
    );
    expect(rows).toHaveLength(25);
    const counts: number[] = [];
    for (const n of [2, 10, 25]) {
      const result = await fabrikam().run(SUBSCRIPTIONS, { ids: rows.slice(0, n).map((r) => globalIdOf("Subscription", r.id)) });
      const nodes = dataOf(result).nodes;
      expect(nodes).toHaveLength(n);
      expect(nodes.map((s: any) => s.customer?.id)).toEqual(rows.slice(0, n).map((r) => globalIdOf("Customer", r.customer_id)));
      expect(nodes.every((s: any) => s.customer.relationship.status === "ACTIVE" && s.customer.domains.length > 0)).toBe(true);
      counts.push(result.sql);
    }
    expect(counts).toEqual([counts[0], counts[0], counts[0]]);
    // subscriptions by id, their customers (one scoped lookup, each with its relationship), domains, the customers' subscriptions
    // (the signed-in user and the partners shown come from caches the test above warmed)
    expect(counts[0]).toBe(4);
  });
});
