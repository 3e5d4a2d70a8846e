import { PartnerRole } from "../src/auth/roles";
import { customerInput, CUSTOMER_CREATE } from "./support/fixtures";
import { GqlResult, TestApp } from "./support/harness";
import { globalIdOf } from "./support/kit";

const { GLOBAL_ADMIN: GA, USER_MANAGEMENT_ADMIN: UMA, ADMIN_AGENT: AA, SALES_AGENT: SA, HELPDESK_AGENT: HA, BILLING_ADMIN: BA } = PartnerRole;
const ALL = Object.values(PartnerRole);

/** DOMAIN.md's role matrix, written out independently of src/auth/permissions.ts. */
const MATRIX = {
  listCustomers: [GA, UMA, AA, SA, HA],
  readBillingProfile: [GA, AA, SA, BA],
  customerCreate: [GA, UMA, AA, SA],
  customerBillingProfileUpdate: [GA, AA, SA],
  manageSubscriptions: [GA, AA, SA],
  readPurchasePermissions: [GA, AA, SA, HA],
  readAuditRecords: [GA, UMA, AA, SA, HA, BA],
};

let app: TestApp;
let customerId: string;
let subscriptionIds: string[];

beforeAll(async () => {
  app = await TestApp.start();
  const [customer] = await app.sql(
    `SELECT c.id FROM customer c JOIN customer_relationship r ON r.customer_id = c.id AND r.status = 'ACTIVE' JOIN partner p ON p.id = r.partner_id AND p.mpn_id = '1000001' ORDER BY c.id LIMIT 1`,
  );
  customerId = globalIdOf("Customer", customer.id);
  const subs = await app.sql(
    `SELECT s.id FROM subscription s JOIN customer_relationship r ON r.customer_id = s.customer_id AND r.partner_id = s.partner_id AND r.status = 'ACTIVE'
     JOIN partner p ON p.id = s.partner_id AND p.mpn_id = '1000001' WHERE s.status = 'ACTIVE' ORDER BY s.id LIMIT 20`,
  );
  subscriptionIds = subs.map((s: { id: string }) => globalIdOf("Subscription", s.id));
});
afterAll(() => app?.close());

function forbiddenAt(result: GqlResult, path: (string | number)[]): boolean {
  return (result.errors ?? []).some((e) => e.extensions?.code === "FORBIDDEN" && JSON.stringify(e.path) === JSON.stringify(path));
}

function expectAllowed(result: GqlResult) {
  expect((result.errors ?? []).filter((e) => e.extensions?.code === "FORBIDDEN")).toEqual([]);
}

describe.each(ALL)("role %s", (role) => {
  const caller = () => app.as("contoso", role);

  it(MATRIX.listCustomers.includes(role) ? "lists, searches and opens customers" : "may not list, search or open customers", async () => {
    const result = await caller().run(`query($id: ID!) {
      customers(first: 2, filter: { search: "a" }) { nodes { id } }
      customer(id: $id) { id }
      node(id: $id) { id }
    }`, { id: customerId });
    if (MATRIX.listCustomers.includes(role)) {
      expectAllowed(result);
      expect(result.data!.customers.nodes.length).toBeGreaterThan(0);
      expect(result.data!.customer.id).toBe(customerId);
      expect(result.data!.node.id).toBe(customerId);
    } else {
      expect(forbiddenAt(result, ["customers"])).toBe(true);
      expect(forbiddenAt(result, ["customer"])).toBe(true);
      expect(forbiddenAt(result, ["node"])).toBe(true);
      expect(result.data).toEqual({ customers: null, customer: null, node: null });
    }
  });

  if (MATRIX.listCustomers.includes(role)) {
    it(MATRIX.readBillingProfile.includes(role) ? "reads billing profiles" : "gets null billing profiles with FORBIDDEN, and the rest of the data", async () => {
      const result = await caller().run(`query($id: ID!) { customer(id: $id) { companyName billingProfile { email } } }`, { id: customerId });
      expect(result.data!.customer.companyName).toEqual(expect.any(String));
      if (MATRIX.readBillingProfile.includes(role)) {
        expectAllowed(result);
        expect(result.data!.customer.billingProfile.email).toContain("@");
      } else {
        expect(result.data!.customer.billingProfile).toBeNull();
        expect(forbiddenAt(result, ["customer", "billingProfile"])).toBe(true);
      }
    });

    it(MATRIX.readPurchasePermissions.includes(role) ? "reads purchase permissions" : "may not read purchase permissions", async () => {
      const result = await caller().run(`query($id: ID!) { customer(id: $id) { purchasePermissions { id } } }`, { id: customerId });
      if (MATRIX.readPurchasePermissions.includes(role)) {
        expectAllowed(result);
        expect(Array.isArray(result.data!.customer.purchasePermissions)).toBe(true);
      } else {
        expect(forbiddenAt(result, ["customer", "purchasePermissions"])).toBe(true);
      }
    });
  }

  it(MATRIX.readAuditRecords.includes(role) ? "reads audit records" : "may not read audit records", async () => {
    const result = await caller().run(`{ auditRecords(first: 1) { nodes { operationType } } }`);
    if (MATRIX.readAuditRecords.includes(role)) {
      expectAllowed(result);
      expect(result.data!.auditRecords.nodes).toHaveLength(1);
    } else {
      expect(forbiddenAt(result, ["auditRecords"])).toBe(true);
    }
  });

  it(MATRIX.customerCreate.includes(role) ? "creates customers" : "may not create customers", async () => {
    const result = await caller().run(CUSTOMER_CREATE, { input: customerInput() });
    if (MATRIX.customerCreate.includes(role)) {
      expectAllowed(result);
      expect(result.data!.customerCreate.userErrors).toEqual([]);
      expect(result.data!.customerCreate.customer.id).toEqual(expect.any(String));
    } else {
      expect(result.data!.customerCreate).toBeNull();
      expect(forbiddenAt(result, ["customerCreate"])).toBe(true);
    }
  });

  it(MATRIX.customerBillingProfileUpdate.includes(role) ? "updates billing profiles" : "may not update billing profiles", async () => {
    const result = await caller().run(
      `mutation($input: CustomerBillingProfileUpdateInput!) { customerBillingProfileUpdate(input: $input) { customer { id } userErrors { code } } }`,
      { input: { customerId, billingProfile: { firstName: `By ${role}`.slice(0, 50) } } },
    );
    if (MATRIX.customerBillingProfileUpdate.includes(role)) {
      expectAllowed(result);
      expect(result.data!.customerBillingProfileUpdate.userErrors).toEqual([]);
    } else {
      expect(result.data!.customerBillingProfileUpdate).toBeNull();
      expect(forbiddenAt(result, ["customerBillingProfileUpdate"])).toBe(true);
    }
  });

  it(MATRIX.manageSubscriptions.includes(role) ? "creates, suspends and reactivates subscriptions" : "may not create, suspend or reactivate subscriptions", async () => {
    const subscriptionId = subscriptionIds[ALL.indexOf(role)]!;
    const result = await caller().run(
      `mutation($create: SubscriptionCreateInput!, $id: SubscriptionSuspendInput!, $re: SubscriptionReactivateInput!) {
        subscriptionCreate(input: $create) { subscription { id status } userErrors { code } }
        subscriptionSuspend(input: $id) { subscription { status } userErrors { code } }
        subscriptionReactivate(input: $re) { subscription { status } userErrors { code } }
      }`,
      { create: { customerId, offerName: "Microsoft 365 E3", kind: "LICENSE", quantity: 3 }, id: { id: subscriptionId }, re: { id: subscriptionId } },
    );
    if (MATRIX.manageSubscriptions.includes(role)) {
      expectAllowed(result);
      expect(result.data!.subscriptionCreate.subscription.status).toBe("ACTIVE");
      expect(result.data!.subscriptionSuspend.subscription.status).toBe("SUSPENDED");
      expect(result.data!.subscriptionReactivate.subscription.status).toBe("ACTIVE");
    } else {
      for (const field of ["subscriptionCreate", "subscriptionSuspend", "subscriptionReactivate"]) {
        expect(result.data![field]).toBeNull();
        expect(forbiddenAt(result, [field])).toBe(true);
      }
    }
  });
});

describe("several roles", () => {
  it("get the union: a helpdesk agent who is also billing admin lists customers and reads their billing profiles", async () => {
    const alone = await app.as("contoso", HA).run(`{ customers(first: 1) { nodes { billingProfile { email } } } }`);
    expect(alone.data!.customers.nodes[0].billingProfile).toBeNull();
    const union = await app.as("contoso", HA, BA).run(`{ customers(first: 1) { nodes { billingProfile { email } } } }`);
    expectAllowed(union);
    expect(union.data!.customers.nodes[0].billingProfile.email).toContain("@");
  });

  it("get the union: a billing admin who is also user management admin lists customers and creates them", async () => {
    const result = await app.as("contoso", BA, UMA).run(CUSTOMER_CREATE, { input: customerInput() });
    expectAllowed(result);
    expect(result.data!.customerCreate.customer).not.toBeNull();
  });
});
