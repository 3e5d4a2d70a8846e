import crypto from "node:crypto";

let counter = 0;

/** A domain prefix no other test uses. */
export function uniquePrefix(label = "t"): string {
  return `${label}${process.pid}${++counter}${crypto.randomBytes(3).toString("hex")}`.slice(0, 27);
}

/** A customerCreate input valid for a North American partner; override any part. */
export function customerInput(overrides: Record<string, any> = {}): Record<string, any> {
  const { companyProfile, billingProfile, ...rest } = overrides;
  const { address, ...billing } = billingProfile ?? {};
  return {
    companyProfile: { domainPrefix: uniquePrefix(), ...companyProfile },
    billingProfile: {
      companyName: "Test Company Inc.",
      firstName: "Ada",
      lastName: "Lovelace",
      email: "billing@test-company.example",
      phoneNumber: "+1 425 555 0100",
      culture: "en-US",
      language: "en",
      ...billing,
      address: { addressLine1: "1 Main St", city: "Seattle", state: "WA", postalCode: "98101", country: "US", ...address },
    },
    ...rest,
  };
}

export const CUSTOMER_CREATE = `
  mutation Create($input: CustomerCreateInput!) {
    customerCreate(input: $input) {
      customer { id tenantId companyName defaultDomain domains country etag relationship { status establishedVia delegatedAdmin } indirectReseller { id name } }
      initialAdmin { userName temporaryPassword }
      userErrors { field code message }
      clientMutationId
    }
  }`;

export const BILLING_UPDATE = `
  mutation Update($input: CustomerBillingProfileUpdateInput!) {
    customerBillingProfileUpdate(input: $input) {
      customer { id etag companyName country billingProfile { companyName firstName lastName email phoneNumber culture language address { addressLine1 addressLine2 city state postalCode country } } }
      userErrors { field code message }
    }
  }`;

/** Kept here too for files that import them with the documents; they live in ./ids (and ./kit). */
export { dbIdOf, globalIdOf } from "./ids";

export const REQUEST_CREATE = `
  mutation($input: RelationshipRequestCreateInput!) {
    relationshipRequestCreate(input: $input) {
      relationshipRequest { id status invitationUrl includeDelegatedAdmin customerDomain indirectReseller { name } createdAt expiresAt acceptedAt }
      userErrors { field code message }
      clientMutationId
    }
  }`;

export const REQUEST_CANCEL = `
  mutation($input: RelationshipRequestCancelInput!) {
    relationshipRequestCancel(input: $input) { relationshipRequest { id status } userErrors { field code message } }
  }`;

export const REQUEST_ACCEPT = `
  mutation($input: RelationshipRequestAcceptInput!) {
    relationshipRequestAccept(input: $input) {
      relationshipRequest { id status }
      customer { id tenantId companyName }
      userErrors { field code message }
    }
  }`;

export const RELATIONSHIP_REMOVE = `
  mutation($input: RelationshipRemoveInput!) {
    relationshipRemove(input: $input) { removedCustomerId suspendedSubscriptions { id kind status } userErrors { field code message } }
  }`;

export const RESELLER_INVITE = `
  mutation($input: IndirectResellerInviteInput!) {
    indirectResellerInvite(input: $input) { indirectRelationship { id status provider { name } reseller { name mpnId } invitedAt activatedAt removedAt } userErrors { field code message } }
  }`;

export const PROVIDER_AUTHORIZE = `
  mutation($input: IndirectProviderAuthorizeInput!) {
    indirectProviderAuthorize(input: $input) { indirectRelationship { id status activatedAt } userErrors { field code message } }
  }`;

export const LINK_REMOVE = `
  mutation($input: IndirectRelationshipRemoveInput!) {
    indirectRelationshipRemove(input: $input) { indirectRelationship { id status removedAt } userErrors { field code message } }
  }`;

export const PERMISSION_GRANT = `
  mutation($input: PurchasePermissionGrantInput!) {
    purchasePermissionGrant(input: $input) { purchasePermission { id resource action subscription { id } grantedBy { email } customer { id } } userErrors { field code message } }
  }`;

export const PERMISSION_REVOKE = `
  mutation($input: PurchasePermissionRevokeInput!) {
    purchasePermissionRevoke(input: $input) { revokedPurchasePermissionId userErrors { field code message } }
  }`;

export const SUBSCRIPTION_CREATE = `
  mutation($input: SubscriptionCreateInput!) {
    subscriptionCreate(input: $input) { subscription { id kind status } userErrors { field code message } }
  }`;

/** `field` joined with dots and `code` of each user error: compact to compare. */
export function codesOf(userErrors: { field: string[] | null; code: string }[]): { code: string; field: string | null }[] {
  return userErrors.map((e) => ({ code: e.code, field: e.field ? e.field.join(".") : null }));
}
