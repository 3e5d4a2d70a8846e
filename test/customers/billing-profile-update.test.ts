import { BILLING_UPDATE, customerInput, CUSTOMER_CREATE } from "../support/fixtures";
import { dataOf, PartnerRole, TestApp } from "../support/harness";
import { dbIdOf, globalIdOf } from "../support/kit";

let app: TestApp;
beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());

const sales = () => app.as("contoso", PartnerRole.SALES_AGENT);

async function newCustomer() {
  return dataOf(await sales().run(CUSTOMER_CREATE, { input: customerInput() })).customerCreate.customer;
}

async function update(input: Record<string, unknown>) {
  return dataOf(await sales().run(BILLING_UPDATE, { input })).customerBillingProfileUpdate;
}

describe("customerBillingProfileUpdate", () => {
  it("changes only the fields given and a new etag comes back", async () => {
    const customer = await newCustomer();
    const payload = await update({ customerId: customer.id, ifMatch: customer.etag, billingProfile: { firstName: "Grace", email: "ap@test-company.example" } });
    expect(payload.userErrors).toEqual([]);
    expect(payload.customer.billingProfile).toMatchObject({ firstName: "Grace", lastName: "Lovelace", email: "ap@test-company.example", culture: "en-US" });
    expect(payload.customer.billingProfile.address).toMatchObject({ city: "Seattle", state: "WA" });
    expect(payload.customer.etag).not.toBe(customer.etag);
  });

  it("replaces the address whole when one is given, and renames the company on the invoice (not the tenant)", async () => {
    const customer = await newCustomer();
    const payload = await update({
      customerId: customer.id,
      billingProfile: { companyName: "Renamed Ltd", culture: "en-CA", address: { addressLine1: "2 King St", city: "Toronto", state: "ON", postalCode: "M5H 2N2", country: "CA" } },
    });
    expect(payload.userErrors).toEqual([]);
    expect(payload.customer.billingProfile.companyName).toBe("Renamed Ltd");
    expect(payload.customer.companyName).toBe("Test Company Inc."); // the tenant's name as registered, shared with every partner
    expect(payload.customer.country).toBe("CA");
    expect(payload.customer.billingProfile.address).toEqual({ addressLine1: "2 King St", addressLine2: null, city: "Toronto", state: "ON", postalCode: "M5H 2N2", country: "CA" });
  });

  it("clears an optional field given as null", async () => {
    const customer = await newCustomer();
    const payload = await update({ customerId: customer.id, billingProfile: { phoneNumber: null } });
    expect(payload.customer.billingProfile.phoneNumber).toBeNull();
  });

  it("refuses a stale etag with STALE_ETAG and changes nothing", async () => {
    const customer = await newCustomer();
    await update({ customerId: customer.id, ifMatch: customer.etag, billingProfile: { firstName: "First" } });
    const stale = await update({ customerId: customer.id, ifMatch: customer.etag, billingProfile: { firstName: "Second" } });
    expect(stale.customer).toBeNull();
    expect(stale.userErrors).toEqual([expect.objectContaining({ code: "STALE_ETAG", field: ["input", "ifMatch"] })]);
    const now = dataOf(await sales().run(`query($id: ID!) { customer(id: $id) { billingProfile { firstName } } }`, { id: customer.id }));
    expect(now.customer.billingProfile.firstName).toBe("First");
  });

  it("lets the last write win without ifMatch", async () => {
    const customer = await newCustomer();
    await update({ customerId: customer.id, billingProfile: { firstName: "One" } });
    const payload = await update({ customerId: customer.id, billingProfile: { firstName: "Two" } });
    expect(payload.customer.billingProfile.firstName).toBe("Two");
  });

  it("validates the merged profile: every problem with its path, nothing written", async () => {
    const customer = await newCustomer();
    const payload = await update({ customerId: customer.id, billingProfile: { email: "bad", companyName: "", address: { addressLine1: "x", city: "Berlin", postalCode: "10115", country: "DE" } } });
    expect(payload.customer).toBeNull();
    expect(payload.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field.join(".")])).toEqual(
      expect.arrayContaining([
        ["REQUIRED", "input.billingProfile.companyName"],
        ["INVALID_EMAIL", "input.billingProfile.email"],
        ["REGION_MISMATCH", "input.billingProfile.address.country"],
        ["INVALID_CULTURE", "input.billingProfile.culture"],
      ]),
    );
    const rows = await app.sql("SELECT version FROM customer_relationship WHERE customer_id = $1", [dbIdOf(customer.id)]);
    expect(rows).toEqual([{ version: 1 }]);
  });

  it("writes an update_customer_billing_profile audit record with old and new values", async () => {
    const customer = await newCustomer();
    await update({ customerId: customer.id, billingProfile: { lastName: "Hopper" } });
    const records = dataOf(
      await sales().run(`query($id: ID!) { customer(id: $id) { auditRecords(last: 1) { nodes { operationType oldValue newValue } } } }`, { id: customer.id }),
    ).customer.auditRecords.nodes;
    expect(records).toEqual([
      { operationType: "update_customer_billing_profile", oldValue: expect.objectContaining({ lastName: "Lovelace" }), newValue: expect.objectContaining({ lastName: "Hopper" }) },
    ]);
  });

  it("answers NOT_FOUND for an unknown or malformed id", async () => {
    for (const customerId of ["nope", globalIdOf("Customer", "00000000-0000-4000-8000-000000000000")]) {
      const payload = await update({ customerId, billingProfile: { firstName: "X" } });
      expect(payload.userErrors).toEqual([expect.objectContaining({ code: "NOT_FOUND", field: ["input", "customerId"] })]);
    }
  });
});
