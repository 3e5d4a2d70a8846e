import { WORKLOAD_A, WORKLOAD_B, WORKLOAD_C } from "../../bench/workloads";
import { userId } from "../../src/db/seed/demo-data";
import { dataOf, GqlResult, PartnerKey, partnerId, PartnerRole, TestApp } from "../support/harness";
import { globalIdOf } from "../support/kit";

/**
 * The read planner (on by default) answers a read of customers with ONE SQL
 * statement whatever the page size, and with two when `totalCount` is
 * selected: counts, not times. For a direct partner (Contoso) and for a
 * provider whose view includes a linked reseller's customers (Fabrikam).
 */
let app: TestApp;

const PAGE_SIZES = [1, 50, 500] as const;
const EXTRA = 600; // more customers per partner than the largest page

/** `doc` with `from` replaced (which must occur). */
function variant(doc: string, ...replacements: [string, string][]): string {
  return replacements.reduce((text, [from, to]) => {
    if (!text.includes(from)) throw new Error(`"${from}" is not in the document`);
    return text.replace(from, to);
  }, doc);
}

const WORKLOAD_A_COUNT = variant(WORKLOAD_A, ["customers(first: $first) {", "customers(first: $first) {\n    totalCount"]);
/** (c) with the page size a variable. */
const WORKLOAD_C_SIZED = variant(WORKLOAD_C, ["$after: String)", "$after: String, $first: Int!)"], ["customers(first: 50,", "customers(first: $first,"]);
const WORKLOAD_C_SIZED_COUNT = variant(WORKLOAD_C_SIZED, ["customers(first: $first, after: $after, filter: { search: $search }, orderBy: { field: COMPANY_NAME, direction: ASC }) {", "customers(first: $first, after: $after, filter: { search: $search }, orderBy: { field: COMPANY_NAME, direction: ASC }) {\n    totalCount"]);
/** (b) with the nested page sizes a variable. */
const WORKLOAD_B_SIZED = variant(WORKLOAD_B, ["($id: ID!)", "($id: ID!, $n: Int!)"], ["subscriptions(first: 10)", "subscriptions(first: $n)"], ["auditRecords(first: 5)", "auditRecords(first: $n)"]);

const BY_DOMAIN = `query($domain: String!) {
  customerByDomain(domain: $domain) {
    id companyName defaultDomain domains country
    billingProfile { companyName email address { city country } }
    relationship { status delegatedAdmin }
    indirectReseller { id name }
    subscriptions(first: 5) { nodes { id offerName } }
    purchasePermissions { id resource }
  }
}`;
const NODE = `query($id: ID!) {
  node(id: $id) {
    id
    ... on Customer {
      companyName domains
      billingProfile { companyName address { country } }
      relationship { status }
      indirectReseller { id name }
      subscriptions(first: 5) { nodes { id } }
      purchasePermissions { id subscription { id } }
      auditRecords(first: 5) { nodes { id } }
    }
  }
}`;

interface Target {
  /** A customer the partner serves itself, with 500+ of its subscriptions and audit records. */
  big: { id: string; domain: string };
  /** Fabrikam only: a customer of its linked reseller Northwind (seen through the link). */
  viaLink?: { id: string; domain: string };
}
const targets = {} as Record<"contoso" | "fabrikam", Target>;

const CALLERS = [
  ["a direct partner (contoso)", "contoso"],
  ["a provider with linked resellers (fabrikam)", "fabrikam"],
] as const;
const caller = (partner: PartnerKey) => app.as(partner, PartnerRole.GLOBAL_ADMIN, PartnerRole.ADMIN_AGENT);

async function addCustomers(partner: "contoso" | "fabrikam"): Promise<void> {
  await app.sql(
    `WITH c AS (
       INSERT INTO customer (id, tenant_id, cloud, company_name, default_domain, culture, language, billing_email, address_line1, city, state, postal_code, country)
       SELECT gen_random_uuid(), gen_random_uuid(), 'COMMERCIAL', 'Extra Ventures ' || lpad(n::text, 4, '0'), $2 || n || '.onmicrosoft.com',
              'en-US', 'en', 'b@extra.example', '1 Main St', 'Seattle', 'WA', '98101', 'US'
         FROM generate_series(1, $3::int) n RETURNING id, default_domain, company_name),
     d AS (INSERT INTO customer_domain (domain, customer_id, is_default) SELECT default_domain, id, true FROM c)
     INSERT INTO customer_relationship (partner_id, customer_id, status, established_via, delegated_admin, billing_profile)
     SELECT $1, id, 'ACTIVE', 'CREATED', true,
            jsonb_build_object('companyName', company_name, 'email', 'b@extra.example', 'culture', 'en-US', 'language', 'en',
                               'address', jsonb_build_object('addressLine1', '1 Main St', 'city', 'Seattle', 'state', 'WA', 'postalCode', '98101', 'country', 'US'))
       FROM c`,
    [partnerId(partner), `stmt${partner}`, EXTRA],
  );
}

/** 500+ subscriptions and audit records of the partner on one customer, and a purchase permission on an active Azure plan. */
async function makeBig(partner: "contoso" | "fabrikam", customerId: string): Promise<void> {
  const pid = partnerId(partner);
  await app.sql(
    `INSERT INTO subscription (customer_id, partner_id, offer_name, kind, quantity, status, created_at, updated_at)
     SELECT $1, $2, 'Bulk offer ' || n, 'LICENSE', 1, 'ACTIVE', timestamptz '2026-01-01T00:00:00Z' + n * interval '1 minute', now() FROM generate_series(1, 510) n`,
    [customerId, pid],
  );
  const [plan] = await app.sql(`INSERT INTO subscription (customer_id, partner_id, offer_name, kind, quantity, status) VALUES ($1, $2, 'Azure plan', 'AZURE_PLAN', 1, 'ACTIVE') RETURNING id`, [customerId, pid]);
  await app.sql(
    `INSERT INTO purchase_permission (partner_id, customer_id, subscription_id, resource, granted_by) VALUES ($1, $2, $3, 'AZURE_SAVINGS_PLANS', $4)
     ON CONFLICT (partner_id, customer_id, resource) DO NOTHING`,
    [pid, customerId, plan.id, userId(partner, PartnerRole.ADMIN_AGENT)],
  );
  await app.sql(
    `INSERT INTO audit_record (partner_id, customer_id, operation_type, resource_type, actor_user_id, actor_email, actor_roles, at)
     SELECT $1, $2, 'update_customer_billing_profile', 'customer', $3, 'ga@example.com', '{GLOBAL_ADMIN}', timestamptz '2026-01-01T00:00:00Z' + n * interval '1 minute'
       FROM generate_series(1, 510) n`,
    [pid, customerId, userId(partner, PartnerRole.GLOBAL_ADMIN)],
  );
}

async function customerWhere(where: string, params: unknown[]): Promise<{ id: string; domain: string; dbId: string }> {
  const [row] = await app.sql(`SELECT c.id, c.default_domain FROM customer c WHERE ${where} ORDER BY c.created_at, c.id LIMIT 1`, params);
  if (!row) throw new Error(`no customer for: ${where}`);
  return { id: globalIdOf("Customer", row.id), domain: row.default_domain, dbId: row.id };
}

beforeAll(async () => {
  app = await TestApp.start();
  await addCustomers("fabrikam");
  await addCustomers("contoso");
  const own = (extra = "") => `EXISTS (SELECT 1 FROM customer_relationship r WHERE r.customer_id = c.id AND r.partner_id = $1 AND r.status = 'ACTIVE' ${extra})`;
  const contosoBig = await customerWhere(own("AND c.company_name NOT LIKE 'Extra Ventures%'"), [partnerId("contoso")]);
  // Fabrikam serves this one through Northwind: the page shows an indirect reseller
  const fabrikamBig = await customerWhere(own("AND r.indirect_reseller_id = $2"), [partnerId("fabrikam"), partnerId("northwind")]);
  const viaLink = await customerWhere(
    `${own("AND r.indirect_provider_id IS NULL")} AND NOT EXISTS (SELECT 1 FROM customer_relationship f WHERE f.customer_id = c.id AND f.partner_id = $2)`,
    [partnerId("northwind"), partnerId("fabrikam")],
  );
  await makeBig("contoso", contosoBig.dbId);
  await makeBig("fabrikam", fabrikamBig.dbId);
  targets.contoso = { big: contosoBig };
  targets.fabrikam = { big: fabrikamBig, viaLink };
  // warm up once per caller: partner rows for display are cached per process after the first sight, token checks per user
  for (const [, partner] of CALLERS) {
    dataOf(await caller(partner).run(WORKLOAD_A, { first: 500 }));
    dataOf(await caller(partner).run(WORKLOAD_B, { id: targets[partner].big.id }));
  }
});
afterAll(() => app?.close());

/** The result, with no errors, and its statement count. */
async function counted(partner: PartnerKey, query: string, variables: Record<string, unknown>): Promise<{ data: any; sql: number; result: GqlResult }> {
  const result = await caller(partner).run(query, variables);
  return { data: dataOf(result), sql: result.sql, result };
}

/** A cursor after the first customer that `search` finds, so a page of any size after it is full. */
async function cursorAfterFirst(partner: PartnerKey, search: string): Promise<string> {
  const { data } = await counted(partner, WORKLOAD_C_SIZED, { search, after: null, first: 1 });
  expect(data.customers.pageInfo.hasNextPage).toBe(true);
  return data.customers.pageInfo.endCursor;
}

describe.each(CALLERS)("%s", (_name, partner) => {
  describe.each(PAGE_SIZES)("page size %i", (n) => {
    it("(a) WORKLOAD_A(first: N): 1 statement", async () => {
      const { data, sql } = await counted(partner, WORKLOAD_A, { first: n });
      expect(data.customers.nodes).toHaveLength(n);
      expect(data.customers.pageInfo.hasNextPage).toBe(true);
      expect(sql).toBe(1);
    });

    it("(a) with totalCount: 2 statements", async () => {
      const { data, sql } = await counted(partner, WORKLOAD_A_COUNT, { first: n });
      expect(data.customers.nodes).toHaveLength(n);
      expect(data.customers.totalCount).toBeGreaterThan(EXTRA);
      expect(sql).toBe(2);
    });

    it("(c) WORKLOAD_C(first: N), a search through a cursor: 1 statement", async () => {
      const after = await cursorAfterFirst(partner, "extra ventures");
      const { data, sql } = await counted(partner, WORKLOAD_C_SIZED, { search: "extra ventures", after, first: n });
      expect(data.customers.nodes).toHaveLength(n);
      expect(data.customers.nodes[0].companyName).toBe("Extra Ventures 0002");
      expect(sql).toBe(1);
    });

    it("(c) with totalCount: 2 statements", async () => {
      const after = await cursorAfterFirst(partner, "extra ventures");
      const { data, sql } = await counted(partner, WORKLOAD_C_SIZED_COUNT, { search: "extra ventures", after, first: n });
      expect(data.customers.nodes).toHaveLength(n);
      expect(data.customers.totalCount).toBe(EXTRA);
      expect(sql).toBe(2);
    });

    it("(b) WORKLOAD_B with subscriptions(first: N) and auditRecords(first: N): 1 statement", async () => {
      const { data, sql } = await counted(partner, WORKLOAD_B_SIZED, { id: targets[partner].big.id, n });
      expect(data.customer.subscriptions.nodes).toHaveLength(n);
      expect(data.customer.auditRecords.nodes).toHaveLength(n);
      expect(data.customer.purchasePermissions.length).toBeGreaterThan(0);
      if (partner === "fabrikam") expect(data.customer.indirectReseller).toMatchObject({ name: "Northwind Solutions" });
      expect(sql).toBe(1);
    });
  });

  it("(c) WORKLOAD_C as the bench runs it (50, a page deep through a cursor): 1 statement", async () => {
    const first = dataOf(await caller(partner).run(WORKLOAD_C, { search: "ventures", after: null })).customers;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const { data, sql } = await counted(partner, WORKLOAD_C, { search: "ventures", after: first.pageInfo.endCursor });
    expect(data.customers.nodes).toHaveLength(50);
    expect(sql).toBe(1);
  });

  it("(b) WORKLOAD_B as the bench runs it: 1 statement", async () => {
    const { data, sql } = await counted(partner, WORKLOAD_B, { id: targets[partner].big.id });
    expect(data.customer.subscriptions.nodes).toHaveLength(10);
    expect(data.customer.auditRecords.nodes).toHaveLength(5);
    expect(data.customer.purchasePermissions.length).toBeGreaterThan(0);
    expect(sql).toBe(1);
  });

  it("customerByDomain (any case): 1 statement", async () => {
    const { data, sql } = await counted(partner, BY_DOMAIN, { domain: targets[partner].big.domain.toUpperCase() });
    expect(data.customerByDomain).toMatchObject({ id: targets[partner].big.id });
    expect(data.customerByDomain.subscriptions.nodes).toHaveLength(5);
    expect(sql).toBe(1);
  });

  it("node(id:) on a customer: 1 statement", async () => {
    const { data, sql } = await counted(partner, NODE, { id: targets[partner].big.id });
    expect(data.node).toMatchObject({ id: targets[partner].big.id });
    expect(data.node.subscriptions.nodes).toHaveLength(5);
    expect(data.node.auditRecords.nodes).toHaveLength(5);
    expect(sql).toBe(1);
  });
});

describe("a provider's linked reseller's customer (seen through the link)", () => {
  it("customerByDomain: 1 statement", async () => {
    const { data, sql } = await counted("fabrikam", BY_DOMAIN, { domain: targets.fabrikam.viaLink!.domain });
    expect(data.customerByDomain).toMatchObject({ id: targets.fabrikam.viaLink!.id, relationship: null, indirectReseller: { name: "Northwind Solutions" } });
    expect(sql).toBe(1);
  });

  it("node(id:): 1 statement", async () => {
    const { data, sql } = await counted("fabrikam", NODE, { id: targets.fabrikam.viaLink!.id });
    expect(data.node).toMatchObject({ id: targets.fabrikam.viaLink!.id, indirectReseller: { name: "Northwind Solutions" } });
    expect(sql).toBe(1);
  });
});
