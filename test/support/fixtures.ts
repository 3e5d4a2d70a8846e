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
