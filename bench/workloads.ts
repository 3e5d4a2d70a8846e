/**
 * The GraphQL documents of the benchmark's workloads (API.md section 8), shared
 * with the test that keeps SQL statements per request at or below depth + 1.
 */

/** (a) a page of customers with billing profile, relationship, indirect reseller and purchase permissions. */
export const WORKLOAD_A = `query WorkloadA($first: Int!) {
  customers(first: $first) {
    nodes {
      id companyName defaultDomain
      billingProfile { companyName firstName lastName email phoneNumber culture language address { addressLine1 addressLine2 city state postalCode country } }
      relationship { status type establishedVia delegatedAdmin establishedAt }
      indirectReseller { id name }
      purchasePermissions { id resource action grantedAt }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** (b) one customer by id with everything. */
export const WORKLOAD_B = `query WorkloadB($id: ID!) {
  customer(id: $id) {
    id tenantId companyName defaultDomain domains country culture language qualification etag createdAt updatedAt
    companyProfile { companyName domain organizationRegistrationNumber }
    billingProfile { companyName firstName lastName email phoneNumber culture language address { addressLine1 addressLine2 city state postalCode country } }
    relationship { status type establishedVia delegatedAdmin establishedAt removedAt }
    delegatedAdmin
    indirectReseller { id name mpnId }
    indirectProvider { id name mpnId }
    subscriptions(first: 10) { nodes { id offerName kind quantity status createdAt } }
    purchasePermissions { id resource action grantedAt subscription { id offerName } }
    auditRecords(first: 5) { nodes { id operationType resourceType at } }
  }
}`;

/** (c) search, ordered by company name, one page deep into the results through a cursor. */
export const WORKLOAD_C = `query WorkloadC($search: String!, $after: String) {
  customers(first: 50, after: $after, filter: { search: $search }, orderBy: { field: COMPANY_NAME, direction: ASC }) {
    nodes { id companyName defaultDomain }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** (d) the write mixed 1:10 with (a). */
export const WORKLOAD_D_CREATE = `mutation WorkloadD($input: CustomerCreateInput!) {
  customerCreate(input: $input) { customer { id defaultDomain } userErrors { code field } }
}`;

export function customerCreateInput(prefix: string) {
  return {
    companyProfile: { domainPrefix: prefix },
    billingProfile: {
      companyName: "Bench Created Ventures LLC",
      firstName: "Ada",
      lastName: "Lovelace",
      email: "billing@bench-created.example",
      culture: "en-US",
      language: "en",
      address: { addressLine1: "1 Main St", city: "Seattle", state: "WA", postalCode: "98101", country: "US" },
    },
  };
}

/** The same views in PostGraphile v5's generated schema (amber preset) over the same tables. */
export const POSTGRAPHILE_A = `query WorkloadA($partnerId: UUID!, $first: Int!) {
  allCustomerRelationships(condition: { partnerId: $partnerId, status: "ACTIVE" }, first: $first, orderBy: [PRIMARY_KEY_ASC]) {
    nodes {
      status type establishedVia delegatedAdmin establishedAt
      partnerByIndirectResellerId { id name }
      customerByCustomerId {
        id companyName defaultDomain billingFirstName billingLastName billingEmail billingPhoneNumber culture language
        addressLine1 addressLine2 city state postalCode country
        purchasePermissionsByCustomerId(condition: { partnerId: $partnerId }) { nodes { id resource action grantedAt } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const POSTGRAPHILE_B = `query WorkloadB($partnerId: UUID!, $customerId: UUID!) {
  allCustomerRelationships(condition: { partnerId: $partnerId, customerId: $customerId, status: "ACTIVE" }, first: 1) {
    nodes {
      status type establishedVia delegatedAdmin establishedAt removedAt
      partnerByIndirectResellerId { id name mpnId }
      partnerByIndirectProviderId { id name mpnId }
      customerByCustomerId {
        id tenantId companyName defaultDomain country culture language qualification version createdAt updatedAt organizationRegistrationNumber
        billingFirstName billingLastName billingEmail billingPhoneNumber addressLine1 addressLine2 city state postalCode
        customerDomainsByCustomerId { nodes { domain isDefault } }
        customerSubscriptionsByCustomerId(condition: { partnerId: $partnerId }, first: 10, orderBy: [CREATED_AT_ASC]) { nodes { id offerName kind quantity status createdAt } }
        purchasePermissionsByCustomerId(condition: { partnerId: $partnerId }) { nodes { id resource action grantedAt customerSubscriptionBySubscriptionId { id offerName } } }
        auditRecordsByCustomerId(condition: { partnerId: $partnerId }, first: 5, orderBy: [AT_ASC]) { nodes { id operationType resourceType at } }
      }
    }
  }
}`;
