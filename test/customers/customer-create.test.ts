import { customerInput, CUSTOMER_CREATE, uniquePrefix } from "../support/fixtures";
import { dataOf, PartnerRole, TestApp } from "../support/harness";
import { globalIdOf } from "../support/kit";

let app: TestApp;
beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());

const contoso = () => app.as("contoso", PartnerRole.ADMIN_AGENT);
const adatum = () => app.as("adatum", PartnerRole.GLOBAL_ADMIN);
const GERMANY = { culture: "de-DE", language: "de", address: { country: "DE", state: null, postalCode: "10115", city: "Berlin" } };
const HUNGARY = { culture: "hu-HU", language: "hu", address: { country: "HU", state: null, postalCode: "1051", city: "Budapest" } };

async function create(input: Record<string, any>, caller = contoso()) {
  return dataOf(await caller.run(CUSTOMER_CREATE, { input })).customerCreate;
}

async function errorsOf(input: Record<string, any>, caller = contoso()) {
  const payload = await create(input, caller);
  expect(payload.customer).toBeNull();
  return payload.userErrors.map((e: { code: string; field: string[] }) => ({ code: e.code, field: e.field.join(".") }));
}

describe("customerCreate", () => {
  it("creates the customer with an active CREATED relationship, delegated admin and the initial admin once", async () => {
    const prefix = uniquePrefix("Created");
    const payload = await create(customerInput({ companyProfile: { domainPrefix: prefix }, clientMutationId: "abc" }));
    expect(payload.userErrors).toEqual([]);
    expect(payload.clientMutationId).toBe("abc");
    expect(payload.customer).toMatchObject({
      companyName: "Test Company Inc.",
      defaultDomain: `${prefix.toLowerCase()}.onmicrosoft.com`,
      domains: [`${prefix.toLowerCase()}.onmicrosoft.com`],
      country: "US",
      relationship: { status: "ACTIVE", establishedVia: "CREATED", delegatedAdmin: true },
    });
    expect(payload.customer.tenantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.initialAdmin.userName).toBe(`admin@${prefix.toLowerCase()}.onmicrosoft.com`);
    expect(payload.initialAdmin.temporaryPassword.length).toBeGreaterThanOrEqual(12);
    const [stored] = await app.sql("SELECT initial_admin_password_hash FROM customer WHERE default_domain = $1", [payload.customer.defaultDomain]);
    expect(stored.initial_admin_password_hash).toMatch(/^scrypt\$/);
    expect(stored.initial_admin_password_hash).not.toContain(payload.initialAdmin.temporaryPassword);
  });

  it("writes an add_customer audit record in the same transaction", async () => {
    const payload = await create(customerInput());
    const result = await contoso().run(
      `query($id: ID!) { auditRecords(first: 10, filter: { customerId: $id }) { nodes { operationType resourceType actor { email roles } } } }`,
      { id: payload.customer.id },
    );
    expect(dataOf(result).auditRecords.nodes).toEqual([
      { operationType: "add_customer", resourceType: "customer", actor: { email: "admin.agent@contoso.example", roles: ["ADMIN_AGENT"] } },
    ]);
  });

  it("returns every problem at once, each with its code and input path, and writes nothing", async () => {
    const before = await app.sql("SELECT count(*)::int AS n FROM customer");
    const errors = await errorsOf(
      customerInput({
        companyProfile: { domainPrefix: "-bad-" },
        billingProfile: {
          companyName: "",
          email: "not-an-email",
          culture: "xx-XX",
          firstName: "x".repeat(51),
          address: { addressLine1: "", state: "ZZ", postalCode: "ABC", city: "" },
        },
      }),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        { code: "INVALID_DOMAIN", field: "input.companyProfile.domainPrefix" },
        { code: "REQUIRED", field: "input.billingProfile.companyName" },
        { code: "INVALID_EMAIL", field: "input.billingProfile.email" },
        { code: "INVALID_CULTURE", field: "input.billingProfile.culture" },
        { code: "TOO_LONG", field: "input.billingProfile.firstName" },
        { code: "REQUIRED", field: "input.billingProfile.address.addressLine1" },
        { code: "REQUIRED", field: "input.billingProfile.address.city" },
        { code: "INVALID_STATE", field: "input.billingProfile.address.state" },
        { code: "INVALID_POSTAL_CODE", field: "input.billingProfile.address.postalCode" },
      ]),
    );
    expect(errors).toHaveLength(9);
    const after = await app.sql("SELECT count(*)::int AS n FROM customer");
    expect(after[0].n).toBe(before[0].n);
  });

  it.each([
    ["a prefix with a dot", "bad.prefix"],
    ["an empty prefix", ""],
    ["a domain longer than 43 characters", "a".repeat(28)],
    ["a hyphen at the start", "-abc"],
    ["an underscore", "ab_c"],
  ])("refuses %s with INVALID_DOMAIN", async (_label, prefix) => {
    expect(await errorsOf(customerInput({ companyProfile: { domainPrefix: prefix } }))).toEqual([{ code: "INVALID_DOMAIN", field: "input.companyProfile.domainPrefix" }]);
  });

  it("accepts a hyphen inside the prefix and a 43-character domain", async () => {
    const payload = await create(customerInput({ companyProfile: { domainPrefix: `ab-${uniquePrefix()}`.padEnd(27, "x").slice(0, 27) } }));
    expect(payload.userErrors).toEqual([]);
    expect(payload.customer.defaultDomain).toHaveLength(43);
  });

  it("refuses a taken domain, in any case, with DOMAIN_TAKEN", async () => {
    const prefix = uniquePrefix("Taken");
    await create(customerInput({ companyProfile: { domainPrefix: prefix } }));
    expect(await errorsOf(customerInput({ companyProfile: { domainPrefix: prefix.toUpperCase() } }))).toEqual([
      { code: "DOMAIN_TAKEN", field: "input.companyProfile.domainPrefix" },
    ]);
  });

  it("refuses UK with a hint to use GB", async () => {
    const payload = await create(customerInput({ billingProfile: { culture: "en-GB", address: { country: "UK", state: null, postalCode: "SW1A 1AA", city: "London" } } }), adatum());
    expect(payload.userErrors).toEqual([{ code: "INVALID_COUNTRY", field: ["input", "billingProfile", "address", "country"], message: expect.stringContaining('"GB"') }]);
  });

  it("refuses a country outside the partner's region with REGION_MISMATCH on the country", async () => {
    expect(await errorsOf(customerInput({ billingProfile: GERMANY }))).toEqual([{ code: "REGION_MISMATCH", field: "input.billingProfile.address.country" }]);
  });

  it("keeps US Government partners to US customers", async () => {
    const tailspin = app.as("tailspin", PartnerRole.GLOBAL_ADMIN);
    expect(await errorsOf(customerInput({ billingProfile: { culture: "en-CA", address: { country: "CA", state: "ON", postalCode: "M5H 2N2", city: "Toronto" } } }), tailspin)).toEqual([
      { code: "REGION_MISMATCH", field: "input.billingProfile.address.country" },
    ]);
    expect((await create(customerInput(), tailspin)).userErrors).toEqual([]);
  });

  it("requires a registration number and a phone number in Hungary, with their own codes", async () => {
    expect(await errorsOf(customerInput({ billingProfile: { ...HUNGARY, phoneNumber: null } }), adatum())).toEqual([
      { code: "REGISTRATION_NUMBER_REQUIRED", field: "input.companyProfile.organizationRegistrationNumber" },
      { code: "PHONE_REQUIRED", field: "input.billingProfile.phoneNumber" },
    ]);
    expect(await errorsOf(customerInput({ companyProfile: { organizationRegistrationNumber: "12" }, billingProfile: HUNGARY }), adatum())).toEqual([
      { code: "INVALID_REGISTRATION_NUMBER", field: "input.companyProfile.organizationRegistrationNumber" },
    ]);
    expect((await create(customerInput({ companyProfile: { organizationRegistrationNumber: "01-09-123456" }, billingProfile: HUNGARY }), adatum())).userErrors).toEqual([]);
  });

  it("refuses a registration number where the country takes none", async () => {
    expect(await errorsOf(customerInput({ companyProfile: { organizationRegistrationNumber: "123456789" } }))).toEqual([
      { code: "REGISTRATION_NUMBER_NOT_ALLOWED", field: "input.companyProfile.organizationRegistrationNumber" },
    ]);
  });

  it("requires a state in the US and checks it against the state list", async () => {
    expect(await errorsOf(customerInput({ billingProfile: { address: { state: null } } }))).toEqual([{ code: "REQUIRED", field: "input.billingProfile.address.state" }]);
    expect(await errorsOf(customerInput({ billingProfile: { address: { state: "XX" } } }))).toEqual([{ code: "INVALID_STATE", field: "input.billingProfile.address.state" }]);
  });

  it("checks lengths of address lines, the language code and the phone number", async () => {
    expect(
      await errorsOf(customerInput({ billingProfile: { language: "eng", phoneNumber: "call me", address: { addressLine1: "x".repeat(201), addressLine2: "y".repeat(201) } } })),
    ).toEqual([
      { code: "INVALID_PHONE", field: "input.billingProfile.phoneNumber" },
      { code: "INVALID_LANGUAGE", field: "input.billingProfile.language" },
      { code: "TOO_LONG", field: "input.billingProfile.address.addressLine1" },
      { code: "TOO_LONG", field: "input.billingProfile.address.addressLine2" },
    ]);
  });

  it("refuses indirectResellerId from a partner that is not a provider", async () => {
    const someone = globalIdOf("Partner", "00000000-0000-4000-8000-000000000000");
    expect(await errorsOf(customerInput({ indirectResellerId: someone }))).toEqual([{ code: "NOT_AN_INDIRECT_PROVIDER", field: "input.indirectResellerId" }]);
  });

  it("refuses a reseller the provider is not actively linked to with NOT_FOUND", async () => {
    const litware = dataOf(await app.as("litware", PartnerRole.GLOBAL_ADMIN).run("{ viewer { partner { id } } }")).viewer.partner.id;
    expect(await errorsOf(customerInput({ indirectResellerId: litware }), app.as("fabrikam", PartnerRole.GLOBAL_ADMIN))).toEqual([
      { code: "NOT_FOUND", field: "input.indirectResellerId" },
    ]);
  });

  it("lets a provider create a customer for its linked reseller: both hold an active relationship", async () => {
    const reseller = dataOf(await app.as("northwind", PartnerRole.GLOBAL_ADMIN).run("{ viewer { partner { id name } } }")).viewer.partner;
    const payload = await create(customerInput({ indirectResellerId: reseller.id }), app.as("fabrikam", PartnerRole.GLOBAL_ADMIN));
    expect(payload.userErrors).toEqual([]);
    expect(payload.customer.indirectReseller).toEqual(reseller);
    const seenByReseller = await app
      .as("northwind", PartnerRole.ADMIN_AGENT)
      .run(`query($id: ID!) { customer(id: $id) { id relationship { status } indirectProvider { name } } }`, { id: payload.customer.id });
    expect(dataOf(seenByReseller).customer).toEqual({ id: payload.customer.id, relationship: { status: "ACTIVE" }, indirectProvider: { name: "Fabrikam Distribution" } });
  });
});

describe("customerCreate idempotency", () => {
  it("replays the first result for the same key and input, creating nothing new", async () => {
    const input = customerInput({ idempotencyKey: `key-${uniquePrefix()}` });
    const first = await create(input);
    const again = await create(input);
    expect(again.userErrors).toEqual([]);
    expect(again.customer.id).toBe(first.customer.id);
    expect(again.initialAdmin).toBeNull();
    const rows = await app.sql("SELECT count(*)::int AS n FROM customer WHERE default_domain = $1", [first.customer.defaultDomain]);
    expect(rows[0].n).toBe(1);
  });

  it("refuses the same key with another input with IDEMPOTENCY_KEY_REUSED", async () => {
    const key = `key-${uniquePrefix()}`;
    await create(customerInput({ idempotencyKey: key }));
    expect(await errorsOf(customerInput({ idempotencyKey: key }))).toEqual([{ code: "IDEMPOTENCY_KEY_REUSED", field: "input.idempotencyKey" }]);
  });

  it("keeps keys per partner: another partner may use the same key", async () => {
    const key = `key-${uniquePrefix()}`;
    const mine = await create(customerInput({ idempotencyKey: key }));
    const theirs = await create(customerInput({ idempotencyKey: key, billingProfile: GERMANY }), adatum());
    expect(theirs.userErrors).toEqual([]);
    expect(theirs.customer.id).not.toBe(mine.customer.id);
  });

  it("creates one customer for 10 concurrent calls with one key, and all of them return it", async () => {
    const input = customerInput({ idempotencyKey: `key-${uniquePrefix()}` });
    const payloads = await Promise.all(Array.from({ length: 10 }, () => create(input)));
    expect(payloads.map((p) => p.userErrors)).toEqual(Array(10).fill([]));
    expect(new Set(payloads.map((p) => p.customer.id)).size).toBe(1);
    expect(payloads.filter((p) => p.initialAdmin !== null)).toHaveLength(1);
    const rows = await app.sql("SELECT count(*)::int AS n FROM customer WHERE default_domain = $1", [payloads[0].customer.defaultDomain]);
    expect(rows[0].n).toBe(1);
  });

  it("leaves the key free after a failed first call, for a corrected retry", async () => {
    const key = `key-${uniquePrefix()}`;
    expect(await errorsOf(customerInput({ idempotencyKey: key, billingProfile: { email: "nope" } }))).toEqual([{ code: "INVALID_EMAIL", field: "input.billingProfile.email" }]);
    expect((await create(customerInput({ idempotencyKey: key }))).userErrors).toEqual([]);
  });
});

describe("customerCreate concurrency", () => {
  it("10 concurrent creates of one domain: one succeeds, the rest get DOMAIN_TAKEN, never an error", async () => {
    const prefix = uniquePrefix("Race");
    const results = await Promise.all(Array.from({ length: 10 }, () => contoso().run(CUSTOMER_CREATE, { input: customerInput({ companyProfile: { domainPrefix: prefix } }) })));
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const payloads = results.map((r) => r.data!.customerCreate);
    expect(payloads.filter((p) => p.customer !== null)).toHaveLength(1);
    const refused = payloads.filter((p) => p.customer === null);
    expect(refused).toHaveLength(9);
    for (const p of refused) expect(p.userErrors).toEqual([expect.objectContaining({ code: "DOMAIN_TAKEN", field: ["input", "companyProfile", "domainPrefix"] })]);
    const rows = await app.sql("SELECT count(*)::int AS n FROM customer WHERE default_domain = $1", [`${prefix.toLowerCase()}.onmicrosoft.com`]);
    expect(rows[0].n).toBe(1);
    const orphans = await app.sql("SELECT count(*)::int AS n FROM customer c WHERE NOT EXISTS (SELECT 1 FROM customer_relationship r WHERE r.customer_id = c.id) AND c.initial_admin_user_name IS NOT NULL");
    expect(orphans[0].n).toBe(0);
  });
});

describe("domainAvailability and countryValidationRules", () => {
  it("tells taken, invalid and free domains apart, in any case", async () => {
    const prefix = uniquePrefix("Avail");
    await create(customerInput({ companyProfile: { domainPrefix: prefix } }));
    const result = dataOf(
      await contoso().run(
        `query($taken: String!, $free: String!) {
          taken: domainAvailability(domain: $taken) { domain available reason }
          free: domainAvailability(domain: $free) { domain available reason }
          invalid: domainAvailability(domain: "no-suffix.example.com") { available reason }
        }`,
        { taken: `${prefix.toUpperCase()}.ONMICROSOFT.COM`, free: `${uniquePrefix("free")}.onmicrosoft.com` },
      ),
    );
    expect(result.taken).toEqual({ domain: `${prefix.toLowerCase()}.onmicrosoft.com`, available: false, reason: "DOMAIN_TAKEN" });
    expect(result.free).toMatchObject({ available: true, reason: null });
    expect(result.invalid).toEqual({ available: false, reason: "INVALID_DOMAIN" });
  });

  it("serves the per-country rules the server checks", async () => {
    const result = dataOf(
      await contoso().run(`{
        us: countryValidationRules(country: "US") { region defaultCulture isStateRequired states isPostalCodeRequired postalCodePattern isRegistrationNumberRequired isPhoneRequired }
        hu: countryValidationRules(country: "HU") { region isRegistrationNumberRequired registrationNumberPattern isPhoneRequired }
        uk: countryValidationRules(country: "UK") { region }
      }`),
    );
    expect(result.us).toMatchObject({ region: "NORTH_AMERICA", defaultCulture: "en-US", isStateRequired: true, isPostalCodeRequired: true, isRegistrationNumberRequired: false, isPhoneRequired: false });
    expect(result.us.states).toContain("WA");
    expect(new RegExp(result.us.postalCodePattern).test("98101")).toBe(true);
    expect(result.hu).toMatchObject({ region: "EUROPE", isRegistrationNumberRequired: true, isPhoneRequired: true });
    expect(new RegExp(result.hu.registrationNumberPattern).test("01-09-123456")).toBe(true);
    expect(result.uk).toBeNull();
  });
});
