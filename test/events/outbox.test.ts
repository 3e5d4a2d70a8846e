import { Client } from "pg";
import { userId } from "../../src/db/seed/demo-data";
import { eventOfAudit, EVENT_TYPES } from "../../src/modules/events/event-types";
import { EVENTS_CHANNEL } from "../../src/modules/events/event.service";
import {
  BILLING_UPDATE,
  customerInput,
  CUSTOMER_CREATE,
  LINK_REMOVE,
  PERMISSION_GRANT,
  PERMISSION_REVOKE,
  PROVIDER_AUTHORIZE,
  RELATIONSHIP_REMOVE,
  REQUEST_ACCEPT,
  REQUEST_CANCEL,
  REQUEST_CREATE,
  RESELLER_INVITE,
  SUBSCRIPTION_CREATE,
} from "../support/fixtures";
import { dataOf, PartnerRole, partnerId, TestApp } from "../support/harness";
import { dbIdOf, globalIdOf } from "../support/kit";
import { acceptInput, REFERRAL_ACCEPT, REFERRAL_CREATE, referralInput } from "../referrals/support";

/** The outbox: one event per audit record, in its transaction, announced on commit. */
let app: TestApp;
let listener: Client;
const notified: string[] = [];

beforeAll(async () => {
  app = await TestApp.start();
  listener = new Client({ connectionString: app.database.url });
  await listener.connect();
  listener.on("notification", (n) => {
    if (n.channel === EVENTS_CHANNEL && n.payload) notified.push(n.payload);
  });
  await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
});
afterAll(async () => {
  await listener?.end();
  await app?.close();
});

interface EventRow {
  seq: string;
  partner_id: string;
  type: string;
  resource_type: string;
  resource_id: string;
  occurred_at: Date;
  body: Record<string, any>;
}

const eventsAfter = (seq: string) => app.sql<EventRow>(`SELECT seq::text, partner_id, type, resource_type, resource_id, occurred_at, body FROM domain_event WHERE seq > $1 ORDER BY seq`, [seq]);
const lastSeq = async () => (await app.sql<{ seq: string }>(`SELECT coalesce(max(seq), 0)::text AS seq FROM domain_event`))[0]!.seq;
const auditIds = async () => new Set((await app.sql<{ id: string }>(`SELECT id FROM audit_record`)).map((r) => r.id));
/** NOTIFY reaches the listener a moment after the commit; wait for it (bounded) instead of a fixed sleep. */
async function notificationsFor(seqs: string[]): Promise<void> {
  for (let i = 0; i < 200 && !seqs.every((s) => notified.includes(s)); i++) await new Promise((r) => setTimeout(r, 10));
}

const ga = (partner: Parameters<TestApp["as"]>[0]) => app.as(partner, PartnerRole.GLOBAL_ADMIN);
const aa = (partner: Parameters<TestApp["as"]>[0]) => app.as(partner, PartnerRole.ADMIN_AGENT);

describe("the outbox", () => {
  it("writes the event of a committed mutation, for the caller's partner, and announces its seq on commit", async () => {
    const from = await lastSeq();
    const created = dataOf(await aa("contoso").run(CUSTOMER_CREATE, { input: customerInput() })).customerCreate;
    const events = await eventsAfter(from);
    expect(events.map((e) => [e.type, e.partner_id, e.resource_type, e.resource_id])).toEqual([["customer.created", partnerId("contoso"), "customer", created.customer.id]]);
    expect(events[0]!.body).toMatchObject({ id: created.customer.id, tenantId: created.customer.tenantId, defaultDomain: created.customer.defaultDomain });
    const [audit] = await app.sql(`SELECT at FROM audit_record WHERE customer_id = $1`, [dbIdOf(created.customer.id)]);
    expect(events[0]!.occurred_at).toEqual(audit.at);
    await notificationsFor([events[0]!.seq]);
    expect(notified).toContain(events[0]!.seq);
  });

  it("writes no event for a mutation that fails (user errors roll the transaction back)", async () => {
    const from = await lastSeq();
    const refused = dataOf(await aa("contoso").run(CUSTOMER_CREATE, { input: customerInput({ billingProfile: { address: { country: "UK" } } }) })).customerCreate;
    expect(refused.userErrors.length).toBeGreaterThan(0);
    expect(await eventsAfter(from)).toEqual([]);
  });

  it("writes and announces nothing when the transaction that recorded the change rolls back", async () => {
    const from = await lastSeq();
    const before = notified.length;
    const ctx = await app.app.contextFor(`Bearer ${await app.token("contoso", PartnerRole.GLOBAL_ADMIN)}`);
    const customerId = dbIdOf(dataOf(await aa("contoso").run(CUSTOMER_CREATE, { input: customerInput() })).customerCreate.customer.id);
    const afterCreate = await lastSeq();
    await notificationsFor([afterCreate]);
    const failing = app.database.dataSource.transaction(async (manager) => {
      await ctx.services.audit.record(manager, ctx, { operationType: "update_customer_billing_profile", resourceType: "customer", customerId, newValue: { id: globalIdOf("Customer", customerId) } });
      throw new Error("after the audit record, before commit");
    });
    await expect(failing).rejects.toThrow("before commit");
    expect((await eventsAfter(from)).map((e) => e.type)).toEqual(["customer.created"]);
    // a committed event after the rolled-back one: once its notification arrived, the rolled-back one would have too
    const next = dataOf(await aa("contoso").run(CUSTOMER_CREATE, { input: customerInput() })).customerCreate;
    expect(next.userErrors).toEqual([]);
    const seqs = (await eventsAfter(afterCreate)).map((e) => e.seq);
    await notificationsFor(seqs);
    expect(notified.slice(before)).toEqual([afterCreate, ...seqs]);
  });
});

describe("events of every audited mutation", () => {
  it("one event per audit record, with the record's partner, type and time, across the mutations of the role matrix", async () => {
    const fromSeq = await lastSeq();
    const auditsBefore = await auditIds();
    const token = (url: string) => new URL(url).searchParams.get("token")!;

    // customers, subscriptions, purchase permissions (Contoso)
    const customer = dataOf(await aa("contoso").run(CUSTOMER_CREATE, { input: customerInput() })).customerCreate.customer;
    dataOf(await aa("contoso").run(BILLING_UPDATE, { input: { customerId: customer.id, billingProfile: { firstName: "Grace" } } }));
    const plan = dataOf(await aa("contoso").run(SUBSCRIPTION_CREATE, { input: { customerId: customer.id, offerName: "Azure plan", kind: "AZURE_PLAN", quantity: 1 } })).subscriptionCreate.subscription;
    const license = dataOf(await aa("contoso").run(SUBSCRIPTION_CREATE, { input: { customerId: customer.id, offerName: "M365", kind: "LICENSE", quantity: 3 } })).subscriptionCreate.subscription;
    const suspend = `mutation($input: SubscriptionSuspendInput!) { subscriptionSuspend(input: $input) { userErrors { code } } }`;
    const reactivate = `mutation($input: SubscriptionReactivateInput!) { subscriptionReactivate(input: $input) { userErrors { code } } }`;
    expect(dataOf(await aa("contoso").run(suspend, { input: { id: license.id } })).subscriptionSuspend.userErrors).toEqual([]);
    expect(dataOf(await aa("contoso").run(reactivate, { input: { id: license.id } })).subscriptionReactivate.userErrors).toEqual([]);
    const grant = dataOf(await aa("contoso").run(PERMISSION_GRANT, { input: { customerId: customer.id, resource: "AZURE_RESERVATIONS" } })).purchasePermissionGrant;
    expect(grant.userErrors).toEqual([]);
    expect(dataOf(await aa("contoso").run(PERMISSION_REVOKE, { input: { id: grant.purchasePermission.id } })).purchasePermissionRevoke.userErrors).toEqual([]);
    dataOf(await aa("contoso").run(PERMISSION_GRANT, { input: { customerId: customer.id, resource: "AZURE_SAVINGS_PLANS" } }));
    // removal suspends the subscriptions and revokes the permission through their modules: each its own event
    const removed = dataOf(await ga("contoso").run(RELATIONSHIP_REMOVE, { input: { customerId: customer.id, suspendActiveSubscriptions: true } })).relationshipRemove;
    expect(removed.userErrors).toEqual([]);

    // invitations: cancelled, and a joint one (Fabrikam with its reseller Northwind) accepted by the customer: one event per partner
    const cancelled = dataOf(await ga("contoso").run(REQUEST_CREATE, { input: {} })).relationshipRequestCreate.relationshipRequest;
    dataOf(await ga("contoso").run(REQUEST_CANCEL, { input: { id: cancelled.id } }));
    const joint = dataOf(await ga("fabrikam").run(REQUEST_CREATE, { input: { indirectResellerId: globalIdOf("Partner", partnerId("northwind")) } })).relationshipRequestCreate;
    expect(joint.userErrors).toEqual([]);
    const [tenant] = await app.sql(`SELECT c.id, c.tenant_id FROM customer c WHERE c.cloud = 'COMMERCIAL' AND c.country = 'US' AND NOT EXISTS (SELECT 1 FROM customer_relationship r WHERE r.customer_id = c.id AND r.partner_id IN ($1, $2)) LIMIT 1`, [
      partnerId("fabrikam"),
      partnerId("northwind"),
    ]);
    const accepted = dataOf(await app.anonymous().run(REQUEST_ACCEPT, { input: { invitationToken: token(joint.relationshipRequest.invitationUrl), customerTenantId: tenant.tenant_id } })).relationshipRequestAccept;
    expect(accepted.userErrors).toEqual([]);

    // indirect links: Fabrikam invites Graphic Design Institute, which authorizes, then Fabrikam removes the link
    const link = dataOf(await ga("fabrikam").run(RESELLER_INVITE, { input: { resellerMpnId: "1000010" } })).indirectResellerInvite;
    expect(link.userErrors).toEqual([]);
    expect(dataOf(await ga("graphic").run(PROVIDER_AUTHORIZE, { input: { id: link.indirectRelationship.id } })).indirectProviderAuthorize.userErrors).toEqual([]);
    expect(dataOf(await ga("fabrikam").run(LINK_REMOVE, { input: { id: link.indirectRelationship.id } })).indirectRelationshipRemove.userErrors).toEqual([]);

    // referrals: sent by Contoso, received and accepted by Fabrikam: both partners' feeds
    const referral = dataOf(await ga("contoso").run(REFERRAL_CREATE, { input: referralInput() })).referralCreate;
    expect(referral.userErrors).toEqual([]);
    expect(dataOf(await ga("fabrikam").run(REFERRAL_ACCEPT, { input: acceptInput(referral.referral.id) })).referralAccept.userErrors).toEqual([]);

    // business profile, user roles
    const profile = dataOf(await app.as("contoso", PartnerRole.BUSINESS_PROFILE_ADMIN).run(`mutation { businessProfileUpdate(input: { description: "Cloud for everyone" }) { userErrors { code } } }`));
    expect(profile.businessProfileUpdate.userErrors).toEqual([]);
    const roles = dataOf(
      await ga("contoso").run(`mutation($input: PartnerUserRolesSetInput!) { partnerUserRolesSet(input: $input) { userErrors { code } } }`, {
        input: { userId: globalIdOf("PartnerUser", userId("contoso", PartnerRole.HELPDESK_AGENT)), roles: [PartnerRole.HELPDESK_AGENT, PartnerRole.BILLING_ADMIN] },
      }),
    );
    expect(roles.partnerUserRolesSet.userErrors).toEqual([]);

    // the invariant: the audit records written since the start and the events since `fromSeq` pair up one to one
    const audits = (await app.sql(`SELECT id, partner_id, operation_type, resource_type, customer_id, old_value, new_value, at FROM audit_record ORDER BY at, id`)).filter((a) => !auditsBefore.has(a.id));
    const events = await eventsAfter(fromSeq);
    const key = (partner: string, type: string, resourceId: string, at: Date) => `${partner} ${type} ${resourceId} ${at.toISOString()}`;
    const expected = audits
      .map((a) => eventOfAudit(a.partner_id, { operationType: a.operation_type, resourceType: a.resource_type, customerId: a.customer_id, oldValue: a.old_value, newValue: a.new_value }))
      .map((draft, i) => key(draft!.partnerId, draft!.type, draft!.resourceId, audits[i].at))
      .sort();
    expect(events.map((e) => key(e.partner_id, e.type, e.resource_id, e.occurred_at)).sort()).toEqual(expected);

    // and every type of the list but the computed expiry and the webhook test was produced by some mutation above
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(EVENT_TYPES.filter((t) => t !== "relationshipRequest.expired" && t !== "webhook.test")));

    const byType = (type: string) => events.filter((e) => e.type === type);
    expect(byType("relationship.accepted").map((e) => e.partner_id).sort()).toEqual([partnerId("fabrikam"), partnerId("northwind")].sort());
    expect(byType("relationship.accepted").every((e) => e.resource_id === globalIdOf("Customer", tenant.id))).toBe(true);
    expect(byType("referral.sent").map((e) => e.partner_id)).toEqual([partnerId("contoso")]);
    expect(byType("referral.received").map((e) => e.partner_id)).toEqual([partnerId("fabrikam")]);
    expect(byType("referral.updated").map((e) => [e.partner_id, e.body.direction]).sort()).toEqual(
      [
        [partnerId("contoso"), "OUTGOING"],
        [partnerId("fabrikam"), "INCOMING"],
      ].sort(),
    );
    expect(byType("indirectRelationship.authorized").map((e) => e.partner_id)).toEqual([partnerId("graphic")]);
    expect(byType("businessProfile.updated").map((e) => [e.partner_id, e.resource_id])).toEqual([[partnerId("contoso"), globalIdOf("Partner", partnerId("contoso"))]]);
    expect(byType("relationship.removed")[0]!.body).toMatchObject({ customerId: customer.id, status: "REMOVED" });
    expect(byType("purchasePermission.revoked").map((e) => e.resource_id)).toContain(grant.purchasePermission.id);
    expect(byType("subscription.suspended").map((e) => e.resource_id).sort()).toEqual([license.id, license.id, plan.id].sort());
  });
});

describe("relationshipRequest.expired", () => {
  it("is recorded once per request, when a sweep first observes the expiry, dated at the expiry", async () => {
    const { services } = await app.app.contextFor();
    const expired = await app.sql(`SELECT id, partner_id, expires_at FROM relationship_request WHERE status = 'PENDING' AND expires_at <= now() ORDER BY id`);
    expect(expired.length).toBeGreaterThan(0); // the demo data holds expired invitations
    const fromSeq = await lastSeq();
    expect(await services.relationships.recordExpiredRequests(1000)).toBe(expired.length);
    const events = await eventsAfter(fromSeq);
    expect(events.map((e) => [e.type, e.partner_id, e.resource_id, e.occurred_at.getTime(), e.body.status]).sort()).toEqual(
      expired.map((r) => ["relationshipRequest.expired", r.partner_id, globalIdOf("RelationshipRequest", r.id), r.expires_at.getTime(), "EXPIRED"]).sort(),
    );
    // a second sweep (or another worker's) finds nothing new
    expect(await services.relationships.recordExpiredRequests(1000)).toBe(0);
  });
});
