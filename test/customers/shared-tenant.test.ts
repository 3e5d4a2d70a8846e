import { PerPartnerBillingProfile1732550000000 } from "../../src/db/migrations/1732550000000-per-partner-billing-profile";
import { partnerId, stableId } from "../../src/db/seed/demo-data";
import { BILLING_UPDATE, codesOf, customerInput, CUSTOMER_CREATE, REQUEST_ACCEPT, REQUEST_CREATE } from "../support/fixtures";
import { dbIdOf, globalIdOf } from "../support/kit";
import { Caller, dataOf, PartnerRole, TestApp } from "../support/harness";

/**
 * One tenant served by several partners: each partner's billing profile of it
 * (with its etag and updatedAt) is its own, and nothing one partner writes
 * changes what another reads without a record in the reader's audit log.
 */
let app: TestApp;
const contoso = () => app.as("contoso", PartnerRole.ADMIN_AGENT);
const litware = () => app.as("litware", PartnerRole.ADMIN_AGENT);
const fabrikam = () => app.as("fabrikam", PartnerRole.GLOBAL_ADMIN);
const northwind = () => app.as("northwind", PartnerRole.GLOBAL_ADMIN);

beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());

const VIEW = `query($id: ID!) {
  customer(id: $id) {
    id tenantId companyName country culture language etag updatedAt
    companyProfile { companyName }
    billingProfile { companyName firstName lastName email phoneNumber culture language address { addressLine1 addressLine2 city state postalCode country } }
    relationship { establishedVia }
    auditRecords(first: 50) { totalCount nodes { operationType newValue } }
  }
}`;

async function view(caller: Caller, id: string) {
  return dataOf(await caller.run(VIEW, { id })).customer;
}

async function update(caller: Caller, input: Record<string, unknown>) {
  return dataOf(await caller.run(BILLING_UPDATE, { input })).customerBillingProfileUpdate;
}

async function auditTotal(caller: Caller): Promise<number> {
  return dataOf(await caller.run(`{ auditRecords(first: 1) { totalCount } }`)).auditRecords.totalCount;
}

/** A customer Contoso created, which Litware then serves too through an invitation the customer accepted. */
async function servedByContosoAndLitware(beforeAcceptance?: (id: string) => Promise<void>) {
  const created = dataOf(await contoso().run(CUSTOMER_CREATE, { input: customerInput() })).customerCreate.customer;
  if (beforeAcceptance) await beforeAcceptance(created.id);
  const invitation = dataOf(await litware().run(REQUEST_CREATE, { input: {} })).relationshipRequestCreate.relationshipRequest;
  const token = new URL(invitation.invitationUrl).searchParams.get("token")!;
  const accepted = dataOf(await app.anonymous().run(REQUEST_ACCEPT, { input: { invitationToken: token, customerTenantId: created.tenantId } })).relationshipRequestAccept;
  expect(accepted.userErrors).toEqual([]);
  expect(accepted.customer).toEqual({ id: created.id, tenantId: created.tenantId, companyName: "Test Company Inc." });
  return created.id as string;
}

describe("a tenant served by two partners", () => {
  it("gives the invited partner its own copy of the tenant's registration data at acceptance, not the other partner's edits", async () => {
    const id = await servedByContosoAndLitware(async (customerId) => {
      expect((await update(contoso(), { customerId, billingProfile: { firstName: "Contoso-only", email: "ap@contoso-view.example" } })).userErrors).toEqual([]);
    });
    const mine = await view(litware(), id);
    expect(mine.relationship).toEqual({ establishedVia: "INVITATION" });
    expect(mine.billingProfile).toMatchObject({ companyName: "Test Company Inc.", firstName: "Ada", email: "billing@test-company.example" });
    expect(mine.etag).toBe('W/"1"');
    expect((await view(contoso(), id)).billingProfile).toMatchObject({ firstName: "Contoso-only", email: "ap@contoso-view.example" });
    // two rows, two profiles
    const rows = await app.sql(`SELECT partner_id, billing_profile->>'firstName' AS first_name, version FROM customer_relationship WHERE customer_id = $1 ORDER BY version`, [dbIdOf(id)]);
    expect(rows).toEqual([
      { partner_id: partnerId("litware"), first_name: "Ada", version: 1 },
      { partner_id: partnerId("contoso"), first_name: "Contoso-only", version: 2 },
    ]);
  });

  it("lets one partner's update change its own profile, etag and updatedAt, and nothing the other reads or its audit log", async () => {
    const id = await servedByContosoAndLitware();
    const contosoBefore = await view(contoso(), id);
    const contosoLog = await auditTotal(contoso());
    const litwareBefore = await view(litware(), id);

    const payload = await update(litware(), { customerId: id, ifMatch: litwareBefore.etag, billingProfile: { firstName: "Litware", phoneNumber: null } });
    expect(payload.userErrors).toEqual([]);
    expect(payload.customer.billingProfile).toMatchObject({ firstName: "Litware", phoneNumber: null });
    expect(payload.customer.etag).not.toBe(litwareBefore.etag);

    const litwareAfter = await view(litware(), id);
    expect(litwareAfter.billingProfile).toMatchObject({ firstName: "Litware", lastName: "Lovelace", phoneNumber: null });
    expect(litwareAfter.etag).toBe(payload.customer.etag);
    expect(new Date(litwareAfter.updatedAt).getTime()).toBeGreaterThan(new Date(litwareBefore.updatedAt).getTime());
    expect(litwareAfter.auditRecords.nodes.at(-1)).toEqual({ operationType: "update_customer_billing_profile", newValue: expect.objectContaining({ firstName: "Litware" }) });

    // Contoso's view is exactly what it was: profile, etag, updatedAt, audit records
    expect(await view(contoso(), id)).toEqual(contosoBefore);
    expect(await auditTotal(contoso())).toBe(contosoLog);
    // the tenant's shared data is untouched too
    expect(litwareAfter.companyName).toBe(contosoBefore.companyName);
    expect(litwareAfter.companyProfile).toEqual(contosoBefore.companyProfile);
  });

  it("keeps each partner's etag its own: the other's update does not make it stale", async () => {
    const id = await servedByContosoAndLitware();
    const contosoEtag = (await view(contoso(), id)).etag;
    await update(litware(), { customerId: id, billingProfile: { lastName: "One" } });
    await update(litware(), { customerId: id, billingProfile: { lastName: "Two" } });
    const payload = await update(contoso(), { customerId: id, ifMatch: contosoEtag, billingProfile: { lastName: "Contoso" } });
    expect(payload.userErrors).toEqual([]);
    expect(payload.customer.billingProfile.lastName).toBe("Contoso");
    expect((await view(litware(), id)).billingProfile.lastName).toBe("Two");
    // and a stale etag of one's own still fails
    const stale = await update(contoso(), { customerId: id, ifMatch: contosoEtag, billingProfile: { lastName: "Again" } });
    expect(codesOf(stale.userErrors)).toEqual([{ code: "STALE_ETAG", field: "input.ifMatch" }]);
  });

  it("filters by country and orders by UPDATED_AT on each partner's own billing profile", async () => {
    const id = await servedByContosoAndLitware();
    const moved = await update(litware(), {
      customerId: id,
      billingProfile: { culture: "en-CA", address: { addressLine1: "2 King St", city: "Toronto", state: "ON", postalCode: "M5H 2N2", country: "CA" } },
    });
    expect(moved.userErrors).toEqual([]);
    expect(moved.customer.country).toBe("CA");
    const ids = async (caller: Caller, country: string) =>
      dataOf(await caller.run(`query($c: String) { customers(first: 500, filter: { country: $c }) { nodes { id country } } }`, { c: country })).customers.nodes;
    const litwareCa = await ids(litware(), "CA");
    expect(litwareCa.map((n: { id: string }) => n.id)).toContain(id);
    expect(litwareCa.every((n: { country: string }) => n.country === "CA")).toBe(true);
    expect((await ids(litware(), "US")).map((n: { id: string }) => n.id)).not.toContain(id);
    expect((await ids(contoso(), "US")).map((n: { id: string }) => n.id)).toContain(id);
    expect((await ids(contoso(), "CA")).map((n: { id: string }) => n.id)).not.toContain(id);
    const contosoView = await view(contoso(), id);
    expect([contosoView.country, contosoView.culture]).toEqual(["US", "en-US"]);

    // UPDATED_AT follows the same per-partner time the list shows
    const ordered = dataOf(await litware().run(`{ customers(first: 500, orderBy: { field: UPDATED_AT, direction: DESC }) { nodes { id updatedAt } } }`)).customers.nodes;
    expect(ordered[0].id).toBe(id);
    const times = ordered.map((n: { updatedAt: string }) => new Date(n.updatedAt).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});

describe("a provider and its linked reseller", () => {
  it("shows the provider the reseller's own profile of a customer it sees only through the link, and records the reseller's edits in the provider's log", async () => {
    const created = dataOf(await northwind().run(CUSTOMER_CREATE, { input: customerInput() })).customerCreate.customer;
    const providerLog = await auditTotal(fabrikam());
    const edited = await update(northwind(), { customerId: created.id, billingProfile: { firstName: "Northwind", email: "ap@northwind-view.example" } });
    expect(edited.userErrors).toEqual([]);
    const seen = await view(fabrikam(), created.id);
    expect(seen.relationship).toBeNull();
    expect(seen.billingProfile).toMatchObject({ firstName: "Northwind", email: "ap@northwind-view.example" });
    expect(seen.etag).toBe(edited.customer.etag);
    expect(seen.updatedAt).toBe((await view(northwind(), created.id)).updatedAt);
    // what the provider reads changed, so its log holds the record (the reseller's user acted)
    expect(await auditTotal(fabrikam())).toBe(providerLog + 1);
    const [record] = dataOf(
      await fabrikam().run(`query($id: ID!) { auditRecords(last: 1, filter: { customerId: $id }) { nodes { operationType actor { email } newValue } } }`, { id: created.id }),
    ).auditRecords.nodes;
    expect(record).toEqual({ operationType: "update_customer_billing_profile", actor: { email: "global.admin@northwind.example" }, newValue: expect.objectContaining({ firstName: "Northwind" }) });
    // read-only for the provider
    const refused = await update(fabrikam(), { customerId: created.id, billingProfile: { firstName: "Fabrikam" } });
    expect(codesOf(refused.userErrors)).toEqual([{ code: "NO_RELATIONSHIP", field: "input.customerId" }]);
  });

  it("keeps a provider's own profile apart from its reseller's when both serve the customer", async () => {
    const northwindId = globalIdOf("Partner", partnerId("northwind"));
    const created = dataOf(await fabrikam().run(CUSTOMER_CREATE, { input: customerInput({ indirectResellerId: northwindId }) })).customerCreate.customer;
    const fabrikamBefore = await view(fabrikam(), created.id);
    const providerLog = await auditTotal(fabrikam());
    expect((await view(northwind(), created.id)).billingProfile).toEqual(fabrikamBefore.billingProfile); // each got a copy at creation
    expect((await update(northwind(), { customerId: created.id, billingProfile: { firstName: "Northwind" } })).userErrors).toEqual([]);
    expect(await view(fabrikam(), created.id)).toEqual(fabrikamBefore);
    expect(await auditTotal(fabrikam())).toBe(providerLog);
  });

  it("holds demo customers whose two partners keep different profiles", async () => {
    // the seed: Fabrikam serves some customers through Northwind, which keeps its own accounts-payable contact
    const id = globalIdOf("Customer", stableId("customer:fabrikam:0"));
    const [provider, reseller] = [await view(fabrikam(), id), await view(northwind(), id)];
    expect(reseller.billingProfile).toMatchObject({ firstName: "Morgan", lastName: "Reyes" });
    expect(provider.billingProfile.firstName).not.toBe("Morgan");
    expect(provider.billingProfile.address).toEqual(reseller.billingProfile.address);
    expect(provider.etag).not.toBe(reseller.etag);
    expect(provider.companyName).toBe(reseller.companyName);
  });
});

describe("the migration", () => {
  it("backfills every relationship's billing profile, version and updatedAt from its customer's columns", async () => {
    const own = await TestApp.start();
    try {
      const runner = own.database.dataSource.createQueryRunner();
      const migration = new PerPartnerBillingProfile1732550000000();
      try {
        await migration.down(runner);
        await own.sql(`UPDATE customer SET billing_first_name = 'Last edit', version = 7, updated_at = '2025-05-05T00:00:00Z' WHERE id = $1`, [stableId("customer:contoso:0")]);
        await migration.up(runner);
      } finally {
        await runner.release();
      }
      const [{ mismatched }] = await own.sql(
        `SELECT count(*)::int AS mismatched FROM customer_relationship r JOIN customer c ON c.id = r.customer_id
          WHERE r.billing_profile <> customer_registration_billing_profile(c) OR r.version <> c.version OR r.updated_at <> c.updated_at`,
      );
      expect(mismatched).toBe(0);
      const customer = await view(own.as("contoso", PartnerRole.ADMIN_AGENT), globalIdOf("Customer", stableId("customer:contoso:0")));
      expect(customer).toMatchObject({ etag: 'W/"7"', updatedAt: "2025-05-05T00:00:00.000Z", billingProfile: { firstName: "Last edit" } });
    } finally {
      await own.close();
    }
  });
});
