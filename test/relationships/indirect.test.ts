import { BILLING_UPDATE, codesOf, customerInput, CUSTOMER_CREATE, LINK_REMOVE, PERMISSION_GRANT, PROVIDER_AUTHORIZE, RELATIONSHIP_REMOVE, RESELLER_INVITE, SUBSCRIPTION_CREATE } from "../support/fixtures";
import { dataOf, PartnerRole, TestApp } from "../support/harness";
import { dbIdOf, globalIdOf } from "../support/kit";

/** Indirect links: PENDING → ACTIVE → REMOVED, and what a provider sees through them. */
let app: TestApp;
const fabrikam = (role = PartnerRole.SALES_AGENT) => app.as("fabrikam", role);
const litware = (role = PartnerRole.GLOBAL_ADMIN) => app.as("litware", role);

beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());

const invite = async (resellerMpnId: string, caller = fabrikam()) => dataOf(await caller.run(RESELLER_INVITE, { input: { resellerMpnId } })).indirectResellerInvite;

describe("indirectResellerInvite", () => {
  it("checks in API.md's order: exists → NOT_AN_INDIRECT_RESELLER → cloud → region → MPA_NOT_SIGNED → ALREADY_EXISTS", async () => {
    const cases: [string, string][] = [
      ["9999999", "NOT_FOUND"], // nobody
      ["1000005", "NOT_FOUND"], // Tailspin: US Government partners do not exist for commercial callers
      ["1000002", "NOT_FOUND"], // itself
      ["1000001", "NOT_AN_INDIRECT_RESELLER"], // Contoso, direct bill
      ["1000007", "REGION_MISMATCH"], // Lucerne, Germany
      ["1000008", "MPA_NOT_SIGNED"], // Margie's Travel
      ["1000003", "ALREADY_EXISTS"], // Northwind, ACTIVE
      ["1000009", "ALREADY_EXISTS"], // Consolidated, PENDING
      ["12a", "INVALID"],
    ];
    for (const [mpnId, code] of cases) {
      const result = await invite(mpnId);
      expect({ mpnId, errors: codesOf(result.userErrors) }).toEqual({ mpnId, errors: [{ code, field: "input.resellerMpnId" }] });
      expect(result.indirectRelationship).toBeNull();
    }
  });

  it("refuses partners that are not providers, and the US Government cloud", async () => {
    expect(codesOf((await invite("1000004", app.as("contoso", PartnerRole.GLOBAL_ADMIN))).userErrors)).toEqual([{ code: "NOT_AN_INDIRECT_PROVIDER", field: null }]);
    // a commercial reseller does not exist for a US Government partner
    expect(codesOf((await invite("1000004", app.as("tailspin", PartnerRole.GLOBAL_ADMIN))).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.resellerMpnId" }]);
    // both sides in the US Government cloud: the indirect model does not exist there
    await app.sql(
      `INSERT INTO partner (id, mpn_id, name, type, cloud, country, region, mpa_signed) VALUES (gen_random_uuid(), '1000099', 'Federal Resellers', 'INDIRECT_RESELLER', 'US_GOVERNMENT', 'US', 'NORTH_AMERICA', true)`,
    );
    expect(codesOf((await invite("1000099", app.as("tailspin", PartnerRole.GLOBAL_ADMIN))).userErrors)).toEqual([{ code: "FEATURE_UNAVAILABLE_IN_CLOUD", field: "input.resellerMpnId" }]);
  });

  it("runs the whole lifecycle: invite → PENDING, the reseller's Global admin authorizes → ACTIVE, the provider removes → REMOVED, then invites again", async () => {
    const invited = await invite("1000004");
    expect(invited.userErrors).toEqual([]);
    const link = invited.indirectRelationship;
    expect(link).toMatchObject({ status: "PENDING", provider: { name: "Fabrikam Distribution" }, reseller: { name: "Litware Partners", mpnId: "1000004" }, activatedAt: null, removedAt: null });

    // only the reseller authorizes, only its Global admin, only a PENDING link
    expect(codesOf(dataOf(await fabrikam(PartnerRole.GLOBAL_ADMIN).run(PROVIDER_AUTHORIZE, { input: { id: link.id } })).indirectProviderAuthorize.userErrors)).toEqual([
      { code: "INVALID", field: "input.id" },
    ]);
    const byAgent = await litware(PartnerRole.ADMIN_AGENT).run(PROVIDER_AUTHORIZE, { input: { id: link.id } });
    expect(byAgent.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const authorized = dataOf(await litware().run(PROVIDER_AUTHORIZE, { input: { id: link.id } })).indirectProviderAuthorize;
    expect(authorized).toEqual({ indirectRelationship: { id: link.id, status: "ACTIVE", activatedAt: expect.any(String) }, userErrors: [] });
    expect(codesOf(dataOf(await litware().run(PROVIDER_AUTHORIZE, { input: { id: link.id } })).indirectProviderAuthorize.userErrors)).toEqual([
      { code: "INVALID_STATE_TRANSITION", field: "input.id" },
    ]);

    // both sides list it
    const resellers = dataOf(await fabrikam(PartnerRole.HELPDESK_AGENT).run(`{ indirectResellers(filter: { status: ACTIVE }) { totalCount nodes { id reseller { mpnId } } } }`)).indirectResellers;
    expect(resellers.nodes.map((n: any) => n.reseller.mpnId).sort()).toEqual(["1000003", "1000004"]);
    const providers = dataOf(await litware(PartnerRole.HELPDESK_AGENT).run(`{ indirectProviders { nodes { id status provider { name } } } }`)).indirectProviders;
    expect(providers.nodes).toEqual([{ id: link.id, status: "ACTIVE", provider: { name: "Fabrikam Distribution" } }]);

    // only the provider removes
    expect(codesOf(dataOf(await litware().run(LINK_REMOVE, { input: { id: link.id } })).indirectRelationshipRemove.userErrors)).toEqual([{ code: "INVALID", field: "input.id" }]);
    const removed = dataOf(await fabrikam().run(LINK_REMOVE, { input: { id: link.id } })).indirectRelationshipRemove;
    expect(removed).toEqual({ indirectRelationship: { id: link.id, status: "REMOVED", removedAt: expect.any(String) }, userErrors: [] });
    expect(codesOf(dataOf(await fabrikam().run(LINK_REMOVE, { input: { id: link.id } })).indirectRelationshipRemove.userErrors)).toEqual([
      { code: "INVALID_STATE_TRANSITION", field: "input.id" },
    ]);
    expect(codesOf(dataOf(await litware().run(PROVIDER_AUTHORIZE, { input: { id: link.id } })).indirectProviderAuthorize.userErrors)).toEqual([
      { code: "INVALID_STATE_TRANSITION", field: "input.id" },
    ]);

    // a new invitation after removal is allowed; withdrawing a pending one removes it
    const again = await invite("1000004");
    expect(again.userErrors).toEqual([]);
    expect(dataOf(await fabrikam().run(LINK_REMOVE, { input: { id: again.indirectRelationship.id } })).indirectRelationshipRemove.indirectRelationship.status).toBe("REMOVED");

    const ops = await app.sql(`SELECT operation_type FROM audit_record WHERE resource_type = 'indirect_relationship' ORDER BY at`);
    expect(ops.map((o: any) => o.operation_type)).toEqual([
      "invite_indirect_reseller",
      "authorize_indirect_provider",
      "remove_indirect_relationship",
      "invite_indirect_reseller",
      "remove_indirect_relationship",
    ]);
  });

  it("creates one link when the same invitation is sent concurrently; the others get ALREADY_EXISTS", async () => {
    await app.sql(`UPDATE partner SET mpa_signed = true WHERE mpn_id = '1000008'`);
    const results = await Promise.all(Array.from({ length: 5 }, () => invite("1000008")));
    expect(results.filter((r) => r.userErrors.length === 0)).toHaveLength(1);
    for (const r of results.filter((x) => x.userErrors.length > 0)) expect(codesOf(r.userErrors)).toEqual([{ code: "ALREADY_EXISTS", field: "input.resellerMpnId" }]);
    const [{ n }] = await app.sql(`SELECT count(*)::int AS n FROM indirect_relationship l JOIN partner p ON p.id = l.reseller_id WHERE p.mpn_id = '1000008'`);
    expect(n).toBe(1);
    await app.sql(`UPDATE partner SET mpa_signed = false WHERE mpn_id = '1000008'`);
  });

  it("keeps links private to their two partners", async () => {
    const [link] = await app.sql(`SELECT l.id FROM indirect_relationship l JOIN partner p ON p.id = l.reseller_id WHERE p.mpn_id = '1000009'`);
    const id = globalIdOf("IndirectRelationship", link.id);
    const contoso = app.as("contoso", PartnerRole.GLOBAL_ADMIN);
    expect(dataOf(await contoso.run(`query($id: ID!) { node(id: $id) { id } }`, { id })).node).toBeNull();
    expect(dataOf(await contoso.run(`{ indirectResellers { totalCount } indirectProviders { totalCount } }`))).toEqual({ indirectResellers: { totalCount: 0 }, indirectProviders: { totalCount: 0 } });
    expect(codesOf(dataOf(await contoso.run(LINK_REMOVE, { input: { id } })).indirectRelationshipRemove.userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
    expect(codesOf(dataOf(await litware().run(PROVIDER_AUTHORIZE, { input: { id } })).indirectProviderAuthorize.userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
    // the invited reseller sees the pending link and its provider
    const seen = dataOf(await app.as("consolidated", PartnerRole.GLOBAL_ADMIN).run(`query($id: ID!) { node(id: $id) { ... on IndirectRelationship { status provider { id name } } } }`, { id })).node;
    expect(seen).toMatchObject({ status: "PENDING", provider: { name: "Fabrikam Distribution" } });
    expect(dataOf(await app.as("consolidated", PartnerRole.GLOBAL_ADMIN).run(`query($id: ID!) { node(id: $id) { id } }`, { id: seen.provider.id })).node).toEqual({ id: seen.provider.id });
    expect(dataOf(await contoso.run(`query($id: ID!) { node(id: $id) { id } }`, { id: seen.provider.id })).node).toBeNull();
  });
});

describe("a provider and its linked resellers' customers", () => {
  it("sees them while the link is ACTIVE, marked with indirectReseller, read-only (NO_RELATIONSHIP); loses them when the link is removed, except where it holds its own relationship", async () => {
    const invited = await invite("1000004");
    await litware().run(PROVIDER_AUTHORIZE, { input: { id: invited.indirectRelationship.id } });
    const litwareId = dataOf(await litware().run(`{ viewer { partner { id } } }`)).viewer.partner.id;
    const resellersOwn = dataOf(await litware().run(`{ customers(first: 500) { totalCount nodes { id } } }`)).customers;
    const seen = dataOf(
      await fabrikam(PartnerRole.ADMIN_AGENT).run(`query($id: ID!) { customers(first: 500, filter: { indirectResellerId: $id }) { totalCount nodes { id relationship { status } indirectReseller { name } purchasePermissions { id } } } }`, {
        id: litwareId,
      }),
    ).customers;
    expect(seen.totalCount).toBe(resellersOwn.totalCount);
    expect(seen.nodes.every((n: any) => n.relationship === null && n.indirectReseller.name === "Litware Partners" && n.purchasePermissions.length === 0)).toBe(true);

    const theirs = seen.nodes[0].id;
    const opened = dataOf(await fabrikam().run(`query($id: ID!) { customer(id: $id) { id indirectReseller { name } } }`, { id: theirs })).customer;
    expect(opened).toEqual({ id: theirs, indirectReseller: { name: "Litware Partners" } });

    // read-only: every mutation on it is NO_RELATIONSHIP
    const mutations: [string, string, Record<string, unknown>, PartnerRole][] = [
      [BILLING_UPDATE, "customerBillingProfileUpdate", { customerId: theirs, billingProfile: { firstName: "Nope" } }, PartnerRole.GLOBAL_ADMIN],
      [SUBSCRIPTION_CREATE, "subscriptionCreate", { customerId: theirs, offerName: "Microsoft 365 E3", kind: "LICENSE", quantity: 1 }, PartnerRole.GLOBAL_ADMIN],
      [RELATIONSHIP_REMOVE, "relationshipRemove", { customerId: theirs }, PartnerRole.GLOBAL_ADMIN],
      [PERMISSION_GRANT, "purchasePermissionGrant", { customerId: theirs, resource: "AZURE_RESERVATIONS" }, PartnerRole.ADMIN_AGENT],
    ];
    for (const [doc, name, input, role] of mutations) {
      const result = dataOf(await fabrikam(role).run(doc, { input }))[name];
      expect({ name, errors: codesOf(result.userErrors) }).toEqual({ name, errors: [{ code: "NO_RELATIONSHIP", field: "input.customerId" }] });
    }

    // a customer the provider also serves itself stays after the link ends
    const shared = dataOf(await fabrikam(PartnerRole.GLOBAL_ADMIN).run(CUSTOMER_CREATE, { input: customerInput({ indirectResellerId: litwareId }) })).customerCreate.customer;
    expect(shared.indirectReseller.name).toBe("Litware Partners");
    const ended = dataOf(await fabrikam().run(LINK_REMOVE, { input: { id: invited.indirectRelationship.id } })).indirectRelationshipRemove;
    expect(ended.userErrors).toEqual([]);
    const after = dataOf(
      await fabrikam().run(`query($id: ID!, $one: ID!) { customers(first: 500, filter: { indirectResellerId: $id }) { nodes { id } } customer(id: $one) { id } }`, { id: litwareId, one: theirs }),
    );
    expect(after.customers.nodes).toEqual([{ id: shared.id }]);
    expect(after.customer).toBeNull();
    // the reseller's relationships did not change
    const [{ n }] = await app.sql(`SELECT count(*)::int AS n FROM customer_relationship WHERE partner_id = $1 AND status = 'ACTIVE'`, [dbIdOf(litwareId)]);
    expect(n).toBe(resellersOwn.totalCount + 1);
  });

  it("never shows a customer twice when the provider and its reseller both serve it", async () => {
    const all = dataOf(await fabrikam().run(`{ customers(first: 500) { totalCount nodes { id } } }`)).customers;
    const ids = all.nodes.map((n: any) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(all.totalCount).toBe(ids.length);
    const [{ n }] = await app.sql(
      `SELECT count(DISTINCT r.customer_id)::int AS n FROM customer_relationship r
        WHERE r.status = 'ACTIVE' AND (r.partner_id = (SELECT id FROM partner WHERE mpn_id = '1000002')
           OR r.partner_id IN (SELECT reseller_id FROM indirect_relationship WHERE status = 'ACTIVE' AND provider_id = (SELECT id FROM partner WHERE mpn_id = '1000002')))`,
    );
    expect(all.totalCount).toBe(n);
  });
});
