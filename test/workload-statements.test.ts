import { dataOf, PartnerRole, TestApp } from "./support/harness";
import { customerCreateInput, WORKLOAD_A, WORKLOAD_B, WORKLOAD_C, WORKLOAD_D_CREATE } from "../bench/workloads";
import { documentDepth } from "../src/server/limits";
import { globalIdOf } from "./support/kit";

/**
 * The benchmark's workload queries (bench/workloads.ts) run at most depth + 1
 * SQL statements, whatever the page size: counts, not times. Run as a provider
 * (Fabrikam), whose view includes its linked reseller's customers.
 */
let app: TestApp;
const caller = () => app.as("fabrikam", PartnerRole.GLOBAL_ADMIN, PartnerRole.ADMIN_AGENT);

beforeAll(async () => {
  app = await TestApp.start();
  // 300 more customers of Fabrikam, so pages of 200 and a search two pages deep exist
  await app.sql(`
    WITH c AS (
      INSERT INTO customer (id, tenant_id, cloud, company_name, default_domain, culture, language, billing_email, address_line1, city, state, postal_code, country)
      SELECT gen_random_uuid(), gen_random_uuid(), 'COMMERCIAL', 'Extra Ventures ' || lpad(n::text, 4, '0'), 'wlextra' || n || '.onmicrosoft.com',
             'en-US', 'en', 'b@extra.example', '1 Main St', 'Seattle', 'WA', '98101', 'US'
        FROM generate_series(1, 300) n RETURNING id, default_domain, company_name),
    d AS (INSERT INTO customer_domain (domain, customer_id, is_default) SELECT default_domain, id, true FROM c)
    INSERT INTO customer_relationship (partner_id, customer_id, status, established_via, delegated_admin, billing_profile)
    SELECT (SELECT id FROM partner WHERE mpn_id = '1000002'), id, 'ACTIVE', 'CREATED', true,
           jsonb_build_object('companyName', company_name, 'email', 'b@extra.example', 'culture', 'en-US', 'language', 'en',
                              'address', jsonb_build_object('addressLine1', '1 Main St', 'city', 'Seattle', 'state', 'WA', 'postalCode', '98101', 'country', 'US'))
      FROM c`);
  await caller().run(WORKLOAD_A, { first: 200 }); // partner rows for display are cached per process after the first sight
});
afterAll(() => app?.close());

describe("SQL statements per request stay at or below depth + 1", () => {
  it("(a) customers(first: N) with billing profile, relationship, indirect reseller and purchase permissions, for N = 1, 10, 50 and 200", async () => {
    const depth = documentDepth(WORKLOAD_A);
    const counts: number[] = [];
    for (const first of [1, 10, 50, 200]) {
      const result = await caller().run(WORKLOAD_A, { first });
      expect(dataOf(result).customers.nodes.length).toBe(first);
      counts.push(result.sql);
    }
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBeLessThanOrEqual(depth + 1);
    // one planned statement: the page with relationships, indirect resellers and purchase permissions (linked resellers as a subquery)
    expect(counts[0]).toBe(1);
  });

  it("(b) one customer with everything, for a customer with subscriptions, purchase permissions and audit records", async () => {
    const [row] = await app.sql(
      `SELECT pp.customer_id FROM purchase_permission pp JOIN partner p ON p.id = pp.partner_id AND p.mpn_id = '1000002'
         JOIN customer_relationship r ON r.customer_id = pp.customer_id AND r.partner_id = p.id AND r.status = 'ACTIVE' LIMIT 1`,
    );
    const id = globalIdOf("Customer", row.customer_id);
    const result = await caller().run(WORKLOAD_B, { id });
    const customer = dataOf(result).customer;
    expect(customer.purchasePermissions.length).toBeGreaterThan(0);
    expect(customer.subscriptions.nodes.length).toBeGreaterThan(0);
    expect(customer.auditRecords.nodes.length).toBeGreaterThan(0);
    expect(result.sql).toBe(1); // planned: the customer with domains, partners, subscriptions, permissions with their plans, audit records
  });

  it("(c) a search ordered by company name, a page deep through a cursor", async () => {
    const first = dataOf(await caller().run(WORKLOAD_C, { search: "ventures", after: null })).customers;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const result = await caller().run(WORKLOAD_C, { search: "ventures", after: first.pageInfo.endCursor });
    expect(dataOf(result).customers.nodes.length).toBeGreaterThan(0);
    expect(result.sql).toBeLessThanOrEqual(documentDepth(WORKLOAD_C) + 1);
    expect(result.sql).toBe(1); // the planned page (the provider's linked resellers as a subquery)
  });

  it("(d) customerCreate runs a fixed number of statements (one transaction: checks, inserts, audit record)", async () => {
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await caller().run(WORKLOAD_D_CREATE, { input: customerCreateInput(`wl${process.pid}x${i}x${Date.now().toString(36)}`) });
      expect(dataOf(result).customerCreate.userErrors).toEqual([]);
      counts.push(result.sql);
    }
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBeLessThanOrEqual(12);
  });
});
