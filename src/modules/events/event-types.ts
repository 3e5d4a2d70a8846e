import { encodeGlobalId } from "../../graphql/relay";

/**
 * Every domain event type, one place. Each comes from one audit operation
 * (`EVENT_OF_OPERATION`) except `relationshipRequest.expired` (recorded when
 * the expiry is first observed) and `webhook.test` (sent to one webhook only).
 */
export const EVENT_TYPES = [
  "customer.created",
  "customer.updated",
  "relationship.accepted",
  "relationship.removed",
  "relationshipRequest.created",
  "relationshipRequest.cancelled",
  "relationshipRequest.expired",
  "indirectRelationship.invited",
  "indirectRelationship.authorized",
  "indirectRelationship.removed",
  "subscription.created",
  "subscription.suspended",
  "subscription.reactivated",
  "purchasePermission.granted",
  "purchasePermission.revoked",
  "referral.received",
  "referral.sent",
  "referral.updated",
  "businessProfile.updated",
  "partnerUser.rolesChanged",
  "webhook.test",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What a webhook may ask for: every type but the test event, which goes to the webhook it tests whatever it asked. */
export const SUBSCRIBABLE_EVENT_TYPES: readonly EventType[] = EVENT_TYPES.filter((t) => t !== "webhook.test");

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** An audit operation's event type; `null`: the operation is not in the feed (webhook configuration). */
const EVENT_OF_OPERATION: Readonly<Record<string, EventType | ((value: Record<string, unknown> | null) => EventType) | null>> = {
  add_customer: "customer.created",
  update_customer_billing_profile: "customer.updated",
  create_partner_relationship: "relationship.accepted",
  remove_partner_customer_relationship: "relationship.removed",
  create_relationship_request: "relationshipRequest.created",
  cancel_relationship_request: "relationshipRequest.cancelled",
  invite_indirect_reseller: "indirectRelationship.invited",
  authorize_indirect_provider: "indirectRelationship.authorized",
  remove_indirect_relationship: "indirectRelationship.removed",
  create_subscription: "subscription.created",
  suspend_subscription: "subscription.suspended",
  reactivate_subscription: "subscription.reactivated",
  create_self_serve_policy: "purchasePermission.granted",
  delete_self_serve_policy: "purchasePermission.revoked",
  // each partner's record is its own view: the receiving side's says INCOMING
  create_referral: (value) => (value?.direction === "INCOMING" ? "referral.received" : "referral.sent"),
  update_referral: "referral.updated",
  update_business_profile: "businessProfile.updated",
  update_partner_user_roles: "partnerUser.rolesChanged",
  create_webhook: null,
  update_webhook: null,
  delete_webhook: null,
};

/** The GraphQL type of a resource type's objects, for resource ids of snapshots that carry none. */
const NODE_TYPE_OF_RESOURCE: Readonly<Record<string, string>> = {
  customer: "Customer",
  customer_relationship: "Customer",
  business_profile: "Partner",
};

export interface AuditedChange {
  operationType: string;
  resourceType: string;
  customerId: string | null;
  oldValue?: unknown;
  newValue?: unknown;
}

export interface EventDraft {
  partnerId: string;
  type: EventType;
  resourceType: string;
  /** The resource's global id: what per-resource ordering and `Event.resourceId` use. */
  resourceId: string;
  body: Record<string, unknown>;
}

function record(value: unknown): Record<string, unknown> | null {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * The event of one audit record in one partner's log, or null when the
 * operation is not in the feed. The body is the record's snapshot (the new
 * value, or the old one for a deletion): GraphQL field names and global ids.
 * A relationship is the customer's (`Customer.relationship`), a business
 * profile the partner's, so those carry the owner's global id.
 */
export function eventOfAudit(partnerId: string, change: AuditedChange): EventDraft | null {
  const mapped = EVENT_OF_OPERATION[change.operationType];
  if (mapped === undefined) throw new Error(`audit operation ${change.operationType} has no event mapping in src/modules/events/event-types.ts`);
  if (mapped === null) return null;
  const newValue = record(change.newValue);
  const oldValue = record(change.oldValue);
  const body = newValue ?? oldValue ?? {};
  const type = typeof mapped === "function" ? mapped(newValue) : mapped;
  const nodeType = NODE_TYPE_OF_RESOURCE[change.resourceType];
  const ownerId = change.resourceType === "business_profile" ? partnerId : change.customerId;
  const resourceId = nodeType && ownerId ? encodeGlobalId(nodeType, ownerId) : typeof body.id === "string" ? body.id : null;
  if (!resourceId) throw new Error(`audit operation ${change.operationType} names no resource an event could point at`);
  const data = nodeType === "Customer" && change.resourceType === "customer_relationship" ? { customerId: resourceId, ...body } : body;
  return { partnerId, type, resourceType: change.resourceType, resourceId, body: data };
}
