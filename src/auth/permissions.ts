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
  /** Not a row of the matrix: webhooks, their deliveries and test events (docs/webhooks.md). */
  manageWebhooks: [GA, AA],
  /** Not a row of the matrix: those who manage users, and referrals admins (who pick the user a referral is assigned to). */
  readPartnerUsers: [GA, UMA, RA],
} as const satisfies Record<string, readonly PartnerRole[]>;

export type Capability = keyof typeof CAPABILITIES;

/** Any authenticated partner user (viewer, validation helpers). */
export const AUTHENTICATED = "authenticated" as const;
/** No bearer token needed (the operation carries its own credential). */
export const PUBLIC = "public" as const;

export type FieldRule = Capability | typeof AUTHENTICATED | typeof PUBLIC;

export function hasCapability(roles: ReadonlySet<PartnerRole>, capability: Capability): boolean {
  return CAPABILITIES[capability].some((role) => roles.has(role));
}
