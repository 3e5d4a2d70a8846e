import { PartnerRole } from "./roles";

const { GLOBAL_ADMIN: GA, USER_MANAGEMENT_ADMIN: UMA, ADMIN_AGENT: AA, SALES_AGENT: SA, HELPDESK_AGENT: HA, BILLING_ADMIN: BA, REFERRALS_ADMIN: RA, REFERRALS_USER: RU, BUSINESS_PROFILE_ADMIN: BPA } =
  PartnerRole;

/**
 * The role matrix of DOMAIN.md, one capability a row. A user with several
 * roles gets the union. Hold this beside the matrix when reviewing.
 */
export const CAPABILITIES = {
  readCustomers: [GA, UMA, AA, SA, HA],
  readBillingProfile: [GA, AA, SA, BA],
  createCustomer: [GA, UMA, AA, SA],
  updateBillingProfile: [GA, AA, SA],
  manageRelationshipRequests: [GA, UMA, AA, SA],
  removeRelationship: [GA],
  manageIndirectResellers: [GA, UMA, AA, SA],
  authorizeIndirectProvider: [GA],
  readIndirectRelationships: [GA, UMA, AA, SA, HA],
  readPurchasePermissions: [GA, AA, SA, HA],
  managePurchasePermissions: [AA],
  manageSubscriptions: [GA, AA, SA],
  readAllReferrals: [GA, RA],
  readAssignedReferrals: [RU],
  readBusinessProfile: [GA, UMA, AA, SA, HA, BA, RA, RU, BPA],
  updateBusinessProfile: [RA, BPA],
  readAuditRecords: [GA, UMA, AA, SA, HA, BA],
  setUserRoles: [GA, UMA],
} as const satisfies Record<string, readonly PartnerRole[]>;

export type Capability = keyof typeof CAPABILITIES;

/** Any authenticated partner user (viewer, validation helpers). */
export const AUTHENTICATED = "authenticated" as const;
/** No bearer token needed (the operation carries its own credential). */
export const PUBLIC = "public" as const;

export type FieldRule = Capability | typeof AUTHENTICATED | typeof PUBLIC;

/**
 * Which schema coordinate needs which capability. Root fields not listed here
 * are denied (shield's fallback); object fields not listed are open to whoever
 * reached their parent.
 */
export const FIELD_RULES: Record<string, Record<string, FieldRule>> = {
  Query: {
    viewer: AUTHENTICATED,
    node: AUTHENTICATED, // the node resolver checks the read capability of the type it finds
    nodes: AUTHENTICATED,
    customers: "readCustomers",
    customer: "readCustomers",
    customerByDomain: "readCustomers",
    domainAvailability: "createCustomer",
    countryValidationRules: AUTHENTICATED,
    auditRecords: "readAuditRecords",
    relationshipRequests: "manageRelationshipRequests",
    indirectResellers: "readIndirectRelationships",
    indirectProviders: "readIndirectRelationships",
  },
  Mutation: {
    customerCreate: "createCustomer",
    customerBillingProfileUpdate: "updateBillingProfile",
    subscriptionCreate: "manageSubscriptions",
    subscriptionSuspend: "manageSubscriptions",
    subscriptionReactivate: "manageSubscriptions",
    relationshipRequestCreate: "manageRelationshipRequests",
    relationshipRequestCancel: "manageRelationshipRequests",
    relationshipRequestAccept: PUBLIC, // the customer's side: the invitation token is the credential
    relationshipRemove: "removeRelationship",
    indirectResellerInvite: "manageIndirectResellers",
    indirectRelationshipRemove: "manageIndirectResellers",
    indirectProviderAuthorize: "authorizeIndirectProvider",
    purchasePermissionGrant: "managePurchasePermissions",
    purchasePermissionRevoke: "managePurchasePermissions",
  },
  Customer: {
    billingProfile: "readBillingProfile",
    purchasePermissions: "readPurchasePermissions",
    auditRecords: "readAuditRecords",
  },
  AuditRecord: {
    customer: "readCustomers",
  },
  RelationshipRequest: {
    invitationUrl: "manageRelationshipRequests",
  },
};

/**
 * What a caller without a bearer token may select: the accept mutation and,
 * in its payload, the request's id and status and who the customer is
 * (API.md section 9). Checked on the document before anything runs.
 */
export const ANONYMOUS_FIELDS = new Set([
  "Mutation.relationshipRequestAccept",
  "RelationshipRequestAcceptPayload.relationshipRequest",
  "RelationshipRequestAcceptPayload.customer",
  "RelationshipRequestAcceptPayload.userErrors",
  "RelationshipRequestAcceptPayload.clientMutationId",
  "RelationshipRequest.id",
  "RelationshipRequest.status",
  "Customer.id",
  "Customer.tenantId",
  "Customer.companyName",
  "UserError.field",
  "UserError.code",
  "UserError.message",
]);

/** Which capability lets a caller open an object of this type through `node` (a Map: the type name comes from the caller's id). */
export const NODE_READ_RULES: ReadonlyMap<string, Capability | typeof AUTHENTICATED> = new Map<string, Capability | typeof AUTHENTICATED>([
  ["Customer", "readCustomers"],
  ["Subscription", "readCustomers"],
  ["AuditRecord", "readAuditRecords"],
  ["PurchasePermission", "readPurchasePermissions"],
  ["RelationshipRequest", "manageRelationshipRequests"],
  ["IndirectRelationship", "readIndirectRelationships"],
  ["Partner", AUTHENTICATED],
  ["PartnerUser", AUTHENTICATED],
]);

export function hasCapability(roles: ReadonlySet<PartnerRole>, capability: Capability): boolean {
  return CAPABILITIES[capability].some((role) => roles.has(role));
}
