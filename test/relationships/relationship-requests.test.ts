import { unservedTenantId } from "../../src/db/seed/demo-data";
import { codesOf, customerInput, CUSTOMER_CREATE, REQUEST_ACCEPT, REQUEST_CANCEL, REQUEST_CREATE, RELATIONSHIP_REMOVE } from "../support/fixtures";
import { dataOf, PartnerRole, TestApp } from "../support/harness";
import { customerWithSubscriptions, dbIdOf, globalIdOf } from "../support/kit";

/** Relationship requests: PENDING → ACCEPTED | CANCELLED | EXPIRED, and restore through a new accepted request. */
let app: TestApp;
const contoso = () => app.as("contoso", PartnerRole.ADMIN_AGENT);
const fabrikam = () => app.as("fabrikam", PartnerRole.SALES_AGENT);

beforeAll(async () => {
  app = await TestApp.start({ env: { PUBLIC_BASE_URL: "https://partners.example.com/" } });
});
afterAll(() => app?.close());

async function create(input: Record<string, unknown> = {}, caller = contoso()) {
  return dataOf(await caller.run(REQUEST_CREATE, { input })).relationshipRequestCreate;
}

async function accept(invitationToken: string, customerTenantId: string) {
  return dataOf(await app.anonymous().run(REQUEST_ACCEPT, { input: { invitationToken, customerTenantId } })).relationshipRequestAccept;
}

const tokenOf = (url: string) => new URL(url).searchParams.get("token")!;

/** A fresh tenant nobody serves: created by Adatum (Europe) then removed, or a bare tenant row in North America. */
async function unservedTenant(country = "US"): Promise<{ id: string; tenantId: string; domain: string }> {
  const prefix = `inv${Math.random().toString(36).slice(2, 12)}`;
  const [row] = await app.sql(
    `WITH c AS (
       INSERT INTO customer (id, tenant_id, cloud, company_name, default_domain, culture, language, billing_email, address_line1, city, state, postal_code, country, qualification, version)
       VALUES (gen_random_uuid(), gen_random_uuid(), 'COMMERCIAL', 'Invited Co', $1, 'en-US', 'en', 'b@invited.example', '1 Main St', 'Seattle', 'WA', '98101', $2, 'NONE', 1)
       RETURNING id, tenant_id, default_domain)
     INSERT INTO customer_domain (domain, customer_id, is_default) SELECT default_domain, id, true FROM c RETURNING customer_id AS id, domain, (SELECT tenant_id FROM c) AS tenant_id`,
    [`${prefix}.onmicrosoft.com`, country],
  );
  return { id: row.id, tenantId: row.tenant_id, domain: row.domain };
}

describe("relationshipRequestCreate", () => {
  it("creates a PENDING request with an invitation URL on PUBLIC_BASE_URL that expires in 90 days, and audits it", async () => {
    const { relationshipRequest: r, userErrors } = await create({ includeDelegatedAdmin: true, clientMutationId: "c1" });
    expect(userErrors).toEqual([]);
    expect(r).toMatchObject({ status: "PENDING", includeDelegatedAdmin: true, customerDomain: null, indirectReseller: null, acceptedAt: null });
    expect(r.invitationUrl).toMatch(/^https:\/\/partners\.example\.com\/invitations\/accept\?token=[A-Za-z0-9_-]{43}$/);
    expect(new Date(r.expiresAt).getTime() - new Date(r.createdAt).getTime()).toBe(90 * 86_400_000);
    const [stored] = await app.sql(`SELECT token_hash, status FROM relationship_request WHERE id = $1`, [dbIdOf(r.id)]);
    expect(stored.status).toBe("PENDING");
    expect(stored.token_hash).not.toContain(tokenOf(r.invitationUrl)); // only a hash is stored
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    const [audit] = await app.sql(`SELECT operation_type, resource_type FROM audit_record WHERE new_value->>'id' = $1`, [r.id]);
    expect(audit).toEqual({ operation_type: "create_relationship_request", resource_type: "relationship_request" });
  });

  it("shows the same invitation URL again while the request is pending, and none once it is not", async () => {
    const { relationshipRequest: r } = await create();
    const again = dataOf(await contoso().run(`query($id: ID!) { node(id: $id) { ... on RelationshipRequest { invitationUrl status } } }`, { id: r.id })).node;
    expect(again).toEqual({ invitationUrl: r.invitationUrl, status: "PENDING" });
    await contoso().run(REQUEST_CANCEL, { input: { id: r.id } });
    const cancelled = dataOf(await contoso().run(`query($id: ID!) { node(id: $id) { ... on RelationshipRequest { invitationUrl status } } }`, { id: r.id })).node;
    expect(cancelled).toEqual({ invitationUrl: null, status: "CANCELLED" });
  });

  it("pins a request to a tenant's domain, and checks the domain", async () => {
    const tenant = await unservedTenant();
    const pinned = await create({ customerDomain: tenant.domain.toUpperCase() });
    expect(pinned.relationshipRequest.customerDomain).toBe(tenant.domain);
    expect(codesOf((await create({ customerDomain: "not a domain" })).userErrors)).toEqual([{ code: "INVALID_DOMAIN", field: "input.customerDomain" }]);
    expect(codesOf((await create({ customerDomain: "nobody-holds-this.onmicrosoft.com" })).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.customerDomain" }]);
    const european = await unservedTenant("DE");
    expect(codesOf((await create({ customerDomain: european.domain })).userErrors)).toEqual([{ code: "REGION_MISMATCH", field: "input.customerDomain" }]);
    // a US Government tenant does not exist for a commercial partner
    const [federal] = await app.sql(`SELECT default_domain FROM customer WHERE tenant_id = $1`, [unservedTenantId("treyresearch")]);
    expect(codesOf((await create({ customerDomain: federal.default_domain })).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.customerDomain" }]);
  });

  it("refuses to invite a customer the partner already serves with delegated admin (ALREADY_EXISTS), but may ask an existing customer for delegated admin", async () => {
    const created = dataOf(await contoso().run(CUSTOMER_CREATE, { input: customerInput() })).customerCreate.customer; // delegated admin on
    expect(codesOf((await create({ customerDomain: created.defaultDomain, includeDelegatedAdmin: true })).userErrors)).toEqual([{ code: "ALREADY_EXISTS", field: "input.customerDomain" }]);
    const [invited] = await app.sql(
      `SELECT d.domain FROM customer_relationship r JOIN partner p ON p.id = r.partner_id AND p.mpn_id = '1000001' JOIN customer_domain d ON d.customer_id = r.customer_id AND d.is_default
        WHERE r.status = 'ACTIVE' AND NOT r.delegated_admin LIMIT 1`,
    );
    expect((await create({ customerDomain: invited.domain, includeDelegatedAdmin: true })).userErrors).toEqual([]);
    expect(codesOf((await create({ customerDomain: invited.domain })).userErrors)).toEqual([{ code: "ALREADY_EXISTS", field: "input.customerDomain" }]);
  });

  it("lets a provider send a joint invitation with an ACTIVE linked reseller, and nobody else", async () => {
    const northwind = dataOf(await app.as("northwind", PartnerRole.GLOBAL_ADMIN).run(`{ viewer { partner { id } } }`)).viewer.partner.id;
    const joint = await create({ indirectResellerId: northwind }, fabrikam());
    expect(joint.relationshipRequest.indirectReseller).toEqual({ name: "Northwind Solutions" });
    expect(codesOf((await create({ indirectResellerId: northwind })).userErrors)).toEqual([{ code: "NOT_AN_INDIRECT_PROVIDER", field: "input.indirectResellerId" }]);
    const graphic = dataOf(await app.as("graphic", PartnerRole.GLOBAL_ADMIN).run(`{ viewer { partner { id } } }`)).viewer.partner.id; // REMOVED link
    expect(codesOf((await create({ indirectResellerId: graphic }, fabrikam())).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.indirectResellerId" }]);
  });

  it("does not exist in the US Government cloud", async () => {
    const result = await create({}, app.as("tailspin", PartnerRole.GLOBAL_ADMIN));
    expect(result).toEqual({ relationshipRequest: null, userErrors: [expect.objectContaining({ code: "FEATURE_UNAVAILABLE_IN_CLOUD", field: null })], clientMutationId: null });
    const [{ n }] = await app.sql(`SELECT count(*)::int AS n FROM relationship_request r JOIN partner p ON p.id = r.partner_id WHERE p.mpn_id = '1000005'`);
    expect(n).toBe(0);
  });

  it("returns the first request for a repeated idempotency key, and refuses the key with another input", async () => {
    const first = await create({ idempotencyKey: "invite-1" });
    const second = await create({ idempotencyKey: "invite-1" });
    expect(second.relationshipRequest.id).toBe(first.relationshipRequest.id);
    expect(second.relationshipRequest.invitationUrl).toBe(first.relationshipRequest.invitationUrl);
    expect(codesOf((await create({ idempotencyKey: "invite-1", includeDelegatedAdmin: true })).userErrors)).toEqual([{ code: "IDEMPOTENCY_KEY_REUSED", field: "input.idempotencyKey" }]);
  });
});

describe("relationshipRequests", () => {
  it("lists the partner's requests newest first, filtered by status, with EXPIRED computed from time", async () => {
    const all = dataOf(await contoso().run(`{ relationshipRequests(first: 500) { totalCount nodes { status createdAt expiresAt } } }`)).relationshipRequests;
    const times = all.nodes.map((n: any) => new Date(n.createdAt).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const status of ["PENDING", "ACCEPTED", "EXPIRED", "CANCELLED"]) {
      const page = dataOf(await contoso().run(`query($s: RelationshipRequestStatus) { relationshipRequests(filter: { status: $s }) { totalCount nodes { status expiresAt } } }`, { s: status }))
        .relationshipRequests;
      expect(page.totalCount).toBeGreaterThan(0);
      expect(page.nodes.every((n: any) => n.status === status)).toBe(true);
    }
    const expired = dataOf(await contoso().run(`{ relationshipRequests(filter: { status: EXPIRED }) { nodes { expiresAt } } }`)).relationshipRequests.nodes;
    expect(expired.every((n: any) => new Date(n.expiresAt).getTime() <= Date.now())).toBe(true);
  });

  it("shows a partner only its own requests", async () => {
    const mine = (await create()).relationshipRequest.id;
    const theirs = dataOf(await fabrikam().run(`{ relationshipRequests(first: 500) { nodes { id } } }`)).relationshipRequests.nodes.map((n: any) => n.id);
    expect(theirs).not.toContain(mine);
    expect(dataOf(await fabrikam().run(`query($id: ID!) { node(id: $id) { id } }`, { id: mine })).node).toBeNull();
    expect(codesOf(dataOf(await fabrikam().run(REQUEST_CANCEL, { input: { id: mine } })).relationshipRequestCancel.userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
  });
});

describe("relationshipRequestCancel", () => {
  it("moves PENDING to CANCELLED, and refuses every other state with INVALID_STATE_TRANSITION", async () => {
    const { relationshipRequest: r } = await create();
    const cancelled = dataOf(await contoso().run(REQUEST_CANCEL, { input: { id: r.id } })).relationshipRequestCancel;
    expect(cancelled).toEqual({ relationshipRequest: { id: r.id, status: "CANCELLED" }, userErrors: [] });
    const again = dataOf(await contoso().run(REQUEST_CANCEL, { input: { id: r.id } })).relationshipRequestCancel;
    expect(codesOf(again.userErrors)).toEqual([{ code: "INVALID_STATE_TRANSITION", field: "input.id" }]);

    const accepted = (await create()).relationshipRequest;
    await accept(tokenOf(accepted.invitationUrl), (await unservedTenant()).tenantId);
    expect(codesOf(dataOf(await contoso().run(REQUEST_CANCEL, { input: { id: accepted.id } })).relationshipRequestCancel.userErrors)).toEqual([
      { code: "INVALID_STATE_TRANSITION", field: "input.id" },
    ]);

    const expired = (await create()).relationshipRequest;
    await app.sql(`UPDATE relationship_request SET created_at = now() - interval '91 days', expires_at = now() - interval '1 day' WHERE id = $1`, [dbIdOf(expired.id)]);
    expect(codesOf(dataOf(await contoso().run(REQUEST_CANCEL, { input: { id: expired.id } })).relationshipRequestCancel.userErrors)).toEqual([
      { code: "INVALID_STATE_TRANSITION", field: "input.id" },
    ]);
    expect(codesOf(dataOf(await contoso().run(REQUEST_CANCEL, { input: { id: "bm90LWFuLWlk" } })).relationshipRequestCancel.userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
  });
});

describe("relationshipRequestAccept", () => {
  it("needs no bearer token: creates an ACTIVE relationship established by INVITATION with the delegated admin asked for, and audits it for the partner", async () => {
    const tenant = await unservedTenant();
    const { relationshipRequest: r } = await create({ includeDelegatedAdmin: false });
    const result = await accept(tokenOf(r.invitationUrl), tenant.tenantId);
    expect(result).toEqual({ relationshipRequest: { id: r.id, status: "ACCEPTED" }, customer: { id: expect.any(String), tenantId: tenant.tenantId, companyName: "Invited Co" }, userErrors: [] });
    const customer = dataOf(await contoso().run(`query($id: ID!) { customer(id: $id) { relationship { status establishedVia delegatedAdmin establishedAt removedAt } delegatedAdmin } }`, { id: result.customer.id })).customer;
    expect(customer).toMatchObject({ relationship: { status: "ACTIVE", establishedVia: "INVITATION", delegatedAdmin: false, removedAt: null }, delegatedAdmin: false });
    const listed = dataOf(await contoso().run(`query($id: ID!) { node(id: $id) { ... on RelationshipRequest { status acceptedAt customer { tenantId } } } }`, { id: r.id })).node;
    expect(listed).toMatchObject({ status: "ACCEPTED", acceptedAt: expect.any(String), customer: { tenantId: tenant.tenantId } });
    const audits = dataOf(
      await contoso().run(`query($id: ID!) { auditRecords(filter: { customerId: $id, operationType: "create_partner_relationship" }) { nodes { resourceType actor { userId email roles } newValue } } }`, {
        id: result.customer.id,
      }),
    ).auditRecords.nodes;
    expect(audits).toEqual([
      { resourceType: "customer_relationship", actor: { userId: null, email: `admin@${tenant.domain}`, roles: [] }, newValue: expect.objectContaining({ status: "ACTIVE", establishedVia: "INVITATION" }) },
    ]);
  });

  it("answers over HTTP without an Authorization header, and refuses with 401 any field beyond the payload's id, status and customer identity", async () => {
    const base = await app.url();
    const { relationshipRequest: r } = await create();
    const tenant = await unservedTenant();
    const post = (query: string) =>
      fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables: { input: { invitationToken: tokenOf(r.invitationUrl), customerTenantId: tenant.tenantId } } }) });
    const greedy = await post(`mutation($input: RelationshipRequestAcceptInput!) { relationshipRequestAccept(input: $input) { customer { id billingProfile { email } } } }`);
    expect(greedy.status).toBe(401);
    expect((await greedy.json()).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const greedyRequest = await post(`mutation($input: RelationshipRequestAcceptInput!) { relationshipRequestAccept(input: $input) { relationshipRequest { invitationUrl } } }`);
    expect(greedyRequest.status).toBe(401);
    const [{ status }] = await app.sql(`SELECT status FROM relationship_request WHERE id = $1`, [dbIdOf(r.id)]);
    expect(status).toBe("PENDING"); // nothing ran
    const ok = await post(REQUEST_ACCEPT);
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(body.data.relationshipRequestAccept).toMatchObject({ relationshipRequest: { status: "ACCEPTED" }, customer: { tenantId: tenant.tenantId }, userErrors: [] });
  });

  it("refuses a used, cancelled, expired or unknown token with INVITATION_NOT_VALID", async () => {
    const tenant = await unservedTenant();
    const used = (await create()).relationshipRequest;
    expect((await accept(tokenOf(used.invitationUrl), tenant.tenantId)).userErrors).toEqual([]);
    const cancelled = (await create()).relationshipRequest;
    await contoso().run(REQUEST_CANCEL, { input: { id: cancelled.id } });
    const expired = (await create()).relationshipRequest;
    await app.sql(`UPDATE relationship_request SET created_at = now() - interval '91 days', expires_at = now() - interval '1 second' WHERE id = $1`, [dbIdOf(expired.id)]);
    const other = await unservedTenant();
    for (const token of [tokenOf(used.invitationUrl), tokenOf(cancelled.invitationUrl), tokenOf(expired.invitationUrl), "made-up-token", ""]) {
      const result = await accept(token, other.tenantId);
      expect(result.relationshipRequest).toBeNull();
      expect(codesOf(result.userErrors)).toEqual([{ code: "INVITATION_NOT_VALID", field: "input.invitationToken" }]);
    }
    const [{ n }] = await app.sql(`SELECT count(*)::int AS n FROM customer_relationship WHERE customer_id = $1`, [other.id]);
    expect(n).toBe(0);
  });

  it("refuses an unknown tenant (NOT_FOUND), a malformed one (INVALID), one the request is not pinned to (INVITATION_NOT_VALID) and one of another region (REGION_MISMATCH)", async () => {
    const r = (await create()).relationshipRequest;
    const token = tokenOf(r.invitationUrl);
    expect(codesOf((await accept(token, "00000000-0000-4000-8000-000000000000")).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.customerTenantId" }]);
    expect(codesOf((await accept(token, "not-a-guid")).userErrors)).toEqual([{ code: "INVALID", field: "input.customerTenantId" }]);
    const european = await unservedTenant("DE");
    expect(codesOf((await accept(token, european.tenantId)).userErrors)).toEqual([{ code: "REGION_MISMATCH", field: "input.customerTenantId" }]);
    const pinnedTo = await unservedTenant();
    const pinned = (await create({ customerDomain: pinnedTo.domain })).relationshipRequest;
    expect(codesOf((await accept(tokenOf(pinned.invitationUrl), (await unservedTenant()).tenantId)).userErrors)).toEqual([{ code: "INVITATION_NOT_VALID", field: "input.customerTenantId" }]);
    expect((await accept(tokenOf(pinned.invitationUrl), pinnedTo.tenantId)).userErrors).toEqual([]);
    // the refusals above consumed nothing
    expect((await accept(token, (await unservedTenant()).tenantId)).userErrors).toEqual([]);
  });

  it("treats a US Government tenant as unknown to a commercial partner's invitation", async () => {
    const r = (await create()).relationshipRequest;
    const result = await accept(tokenOf(r.invitationUrl), unservedTenantId("treyresearch"));
    expect(codesOf(result.userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.customerTenantId" }]);
  });

  it("accepted by 10 concurrent calls creates exactly one relationship; the other nine get INVITATION_NOT_VALID", async () => {
    const tenant = await unservedTenant();
    const r = (await create({ includeDelegatedAdmin: true })).relationshipRequest;
    const results = await Promise.all(Array.from({ length: 10 }, () => accept(tokenOf(r.invitationUrl), tenant.tenantId)));
    const winners = results.filter((x) => x.userErrors.length === 0);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((x) => x.userErrors.length > 0)) expect(codesOf(loser.userErrors)).toEqual([{ code: "INVITATION_NOT_VALID", field: "input.invitationToken" }]);
    const rows = await app.sql(`SELECT status, delegated_admin FROM customer_relationship WHERE customer_id = $1`, [tenant.id]);
    expect(rows).toEqual([{ status: "ACTIVE", delegated_admin: true }]);
    const [{ n }] = await app.sql(`SELECT count(*)::int AS n FROM audit_record WHERE customer_id = $1 AND operation_type = 'create_partner_relationship'`, [tenant.id]);
    expect(n).toBe(1);
  });

  it("accepts a provider's joint invitation for both partners at once: the customer shows the reseller to the provider and the provider to the reseller", async () => {
    const northwind = dataOf(await app.as("northwind", PartnerRole.GLOBAL_ADMIN).run(`{ viewer { partner { id } } }`)).viewer.partner.id;
    const tenant = await unservedTenant();
    const r = (await create({ indirectResellerId: northwind, includeDelegatedAdmin: true }, fabrikam())).relationshipRequest;
    const result = await accept(tokenOf(r.invitationUrl), tenant.tenantId);
    expect(result.userErrors).toEqual([]);
    const q = `query($id: ID!) { customer(id: $id) { relationship { establishedVia delegatedAdmin } indirectReseller { name } indirectProvider { name } } }`;
    expect(dataOf(await fabrikam().run(q, { id: result.customer.id })).customer).toEqual({
      relationship: { establishedVia: "INVITATION", delegatedAdmin: true },
      indirectReseller: { name: "Northwind Solutions" },
      indirectProvider: null,
    });
    expect(dataOf(await app.as("northwind", PartnerRole.ADMIN_AGENT).run(q, { id: result.customer.id })).customer).toEqual({
      relationship: { establishedVia: "INVITATION", delegatedAdmin: true },
      indirectReseller: null,
      indirectProvider: { name: "Fabrikam Distribution" },
    });
  });

  it("refuses a joint invitation whose reseller link has ended since (INVITATION_NOT_VALID), and changes nothing", async () => {
    const consolidated = await app.sql(`SELECT id FROM partner WHERE mpn_id = '1000009'`);
    const [link] = await app.sql(`SELECT id FROM indirect_relationship WHERE reseller_id = $1`, [consolidated[0].id]);
    await app.sql(`UPDATE indirect_relationship SET status = 'ACTIVE', activated_at = now() WHERE id = $1`, [link.id]);
    const resellerId = globalIdOf("Partner", consolidated[0].id);
    const r = (await create({ indirectResellerId: resellerId }, fabrikam())).relationshipRequest;
    await app.sql(`UPDATE indirect_relationship SET status = 'PENDING', activated_at = NULL WHERE id = $1`, [link.id]);
    const tenant = await unservedTenant();
    expect(codesOf((await accept(tokenOf(r.invitationUrl), tenant.tenantId)).userErrors)).toEqual([{ code: "INVITATION_NOT_VALID", field: "input.invitationToken" }]);
    expect(await app.sql(`SELECT 1 FROM customer_relationship WHERE customer_id = $1`, [tenant.id])).toEqual([]);
  });
});

describe("restore", () => {
  it("re-activates a removed relationship through a new accepted request: same customer id and tenant, INVITATION, the new delegated admin, suspended subscriptions stay suspended", async () => {
    const ga = app.as("contoso", PartnerRole.GLOBAL_ADMIN);
    const customer = await customerWithSubscriptions(ga, ["LICENSE"]);
    const license = customer.subscriptions[0]!;
    const removed = dataOf(await ga.run(RELATIONSHIP_REMOVE, { input: { customerId: customer.id, suspendActiveSubscriptions: true } })).relationshipRemove;
    expect(removed.userErrors).toEqual([]);
    expect(dataOf(await ga.run(`query($id: ID!) { customer(id: $id) { id } }`, { id: customer.id })).customer).toBeNull();

    const r = (await create({ customerDomain: customer.defaultDomain, includeDelegatedAdmin: false }, ga)).relationshipRequest;
    const result = await accept(tokenOf(r.invitationUrl), customer.tenantId);
    expect(result.userErrors).toEqual([]);
    expect(result.customer.id).toBe(customer.id);
    const restored = dataOf(
      await ga.run(`query($id: ID!) { customer(id: $id) { id tenantId relationship { status establishedVia delegatedAdmin removedAt } subscriptions { nodes { id status } } } }`, { id: customer.id }),
    ).customer;
    expect(restored).toEqual({
      id: customer.id,
      tenantId: customer.tenantId,
      relationship: { status: "ACTIVE", establishedVia: "INVITATION", delegatedAdmin: false, removedAt: null },
      subscriptions: { nodes: [{ id: license.id, status: "SUSPENDED" }] },
    });
    const [audit] = await app.sql(`SELECT old_value FROM audit_record WHERE customer_id = $1 AND operation_type = 'create_partner_relationship'`, [dbIdOf(customer.id)]);
    expect(audit.old_value).toMatchObject({ status: "REMOVED" });
  });
});
