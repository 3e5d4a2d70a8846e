/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type AddressInput = {
  addressLine1: string;
  addressLine2?: string | null | undefined;
  city?: string | null | undefined;
  /** ISO 3166-1 alpha-2 (GB, not UK). */
  country: string;
  postalCode?: string | null | undefined;
  /** A code from `countryValidationRules.states` where the country has a list. */
  state?: string | null | undefined;
};

export type BillingProfileInput = {
  address: AddressInput;
  companyName: string;
  /** One of the country's supported cultures, e.g. en-US. */
  culture: string;
  email: string;
  firstName?: string | null | undefined;
  /** Two-letter language code, e.g. en. */
  language: string;
  lastName?: string | null | undefined;
  /** Required in some countries (see `countryValidationRules`). */
  phoneNumber?: string | null | undefined;
};

export type CompanyProfileInput = {
  /** Letters and digits (a hyphen inside is fine); the default domain becomes <prefix>.onmicrosoft.com. */
  domainPrefix: string;
  /** Required in some countries, refused in the others (see `countryValidationRules`). */
  organizationRegistrationNumber?: string | null | undefined;
};

export type CustomerCreateInput = {
  billingProfile: BillingProfileInput;
  /** Echoed in the payload. */
  clientMutationId?: string | null | undefined;
  companyProfile: CompanyProfileInput;
  /** The same key within 24 hours returns the first result and creates nothing new. */
  idempotencyKey?: string | null | undefined;
  /** Providers only: create the customer for this linked indirect reseller. */
  indirectResellerId?: string | number | null | undefined;
};

export type CustomerFilter = {
  companyNamePrefix?: string | null | undefined;
  /** Billing address country (ISO 3166-1 alpha-2). */
  country?: string | null | undefined;
  createdAfter?: string | null | undefined;
  createdBefore?: string | null | undefined;
  domainPrefix?: string | null | undefined;
  hasDelegatedAdmin?: boolean | null | undefined;
  /** Resellers: customers served through this provider. */
  indirectProviderId?: string | number | null | undefined;
  /** Providers: customers served through this reseller. */
  indirectResellerId?: string | number | null | undefined;
  /** ACTIVE (the default) lists served customers; REMOVED lists those the partner used to serve. */
  relationshipStatus?: RelationshipStatus | null | undefined;
  /** Case-insensitive substring of the company name or of any domain. */
  search?: string | null | undefined;
};

export type EstablishedVia =
  | 'CREATED'
  | 'INVITATION';

export type RelationshipRemoveInput = {
  /** Echoed in the payload. */
  clientMutationId?: string | null | undefined;
  customerId: string | number;
  /** Suspend active license and Azure plan subscriptions in the same transaction instead of refusing. */
  suspendActiveSubscriptions?: boolean;
};

export type RelationshipStatus =
  | 'ACTIVE'
  | 'REMOVED';

export type SubscriptionStatus =
  | 'ACTIVE'
  | 'CANCELLED'
  | 'SUSPENDED';

export type UserErrorCode =
  | 'ACTIVE_RESERVATIONS_OR_SOFTWARE'
  | 'ACTIVE_SUBSCRIPTIONS'
  | 'ALREADY_EXISTS'
  | 'ALREADY_GRANTED'
  | 'DOMAIN_TAKEN'
  | 'FEATURE_UNAVAILABLE_IN_CLOUD'
  | 'GLOBAL_ADMIN_REQUIRED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INVALID'
  | 'INVALID_COUNTRY'
  | 'INVALID_CULTURE'
  | 'INVALID_DOMAIN'
  | 'INVALID_EMAIL'
  | 'INVALID_LANGUAGE'
  | 'INVALID_PHONE'
  | 'INVALID_POSTAL_CODE'
  | 'INVALID_REGISTRATION_NUMBER'
  | 'INVALID_STATE'
  | 'INVALID_STATE_TRANSITION'
  | 'INVITATION_NOT_VALID'
  | 'LAST_GLOBAL_ADMIN'
  | 'MPA_NOT_SIGNED'
  | 'NOT_AN_INDIRECT_PROVIDER'
  | 'NOT_AN_INDIRECT_RESELLER'
  | 'NOT_FOUND'
  | 'NO_AZURE_PLAN'
  | 'NO_BUSINESS_PROFILE'
  | 'NO_RELATIONSHIP'
  | 'PHONE_REQUIRED'
  | 'RATE_LIMITED'
  | 'REGION_MISMATCH'
  | 'REGISTRATION_NUMBER_NOT_ALLOWED'
  | 'REGISTRATION_NUMBER_REQUIRED'
  | 'REQUIRED'
  | 'STALE_ETAG'
  | 'TOO_LONG'
  | 'URL_NOT_ALLOWED';

export type ListCustomersQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  filter?: CustomerFilter | null | undefined;
  withTotal: boolean;
}>;


export type ListCustomersQuery = { customers: { totalCount?: number, nodes: Array<{ id: string, companyName: string, defaultDomain: string, country: string, createdAt: string, relationship: { status: RelationshipStatus, removedAt: string | null } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null };

export type CreateCustomerMutationVariables = Exact<{
  input: CustomerCreateInput;
}>;


export type CreateCustomerMutation = { customerCreate: { customer: { id: string, tenantId: string, companyName: string, defaultDomain: string, relationship: { status: RelationshipStatus, establishedVia: EstablishedVia } | null } | null, initialAdmin: { userName: string, temporaryPassword: string } | null, userErrors: Array<{ field: Array<string> | null, code: UserErrorCode, message: string }> } | null };

export type RemoveRelationshipMutationVariables = Exact<{
  input: RelationshipRemoveInput;
}>;


export type RemoveRelationshipMutation = { relationshipRemove: { removedCustomerId: string | null, suspendedSubscriptions: Array<{ id: string, offerName: string, status: SubscriptionStatus }>, userErrors: Array<{ field: Array<string> | null, code: UserErrorCode, message: string }> } | null };


export const ListCustomersDocument = {"__meta__":{"hash":"sha256:65cc177cfcd6509ef711c854c003611bbfe5b4db57c0540f925e14a5233f86b7"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ListCustomers"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"CustomerFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"withTotal"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"customers"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"field"},"value":{"kind":"EnumValue","value":"COMPANY_NAME"}},{"kind":"ObjectField","name":{"kind":"Name","value":"direction"},"value":{"kind":"EnumValue","value":"ASC"}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"},"directives":[{"kind":"Directive","name":{"kind":"Name","value":"include"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"if"},"value":{"kind":"Variable","name":{"kind":"Name","value":"withTotal"}}}]}]},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"companyName"}},{"kind":"Field","name":{"kind":"Name","value":"defaultDomain"}},{"kind":"Field","name":{"kind":"Name","value":"country"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"relationship"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"removedAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ListCustomersQuery, ListCustomersQueryVariables>;
export const CreateCustomerDocument = {"__meta__":{"hash":"sha256:b656d07ad4bf5274e8ea334a52f19d592c11745f47891910b728abd0c38c7824"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateCustomer"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CustomerCreateInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"customerCreate"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"customer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"companyName"}},{"kind":"Field","name":{"kind":"Name","value":"defaultDomain"}},{"kind":"Field","name":{"kind":"Name","value":"relationship"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"establishedVia"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"initialAdmin"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userName"}},{"kind":"Field","name":{"kind":"Name","value":"temporaryPassword"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<CreateCustomerMutation, CreateCustomerMutationVariables>;
export const RemoveRelationshipDocument = {"__meta__":{"hash":"sha256:ecf9d0c07b47656ab7cad95034109f42598807e3f1e2ebbd289a9ef1d342ea32"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RemoveRelationship"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RelationshipRemoveInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"relationshipRemove"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"removedCustomerId"}},{"kind":"Field","name":{"kind":"Name","value":"suspendedSubscriptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"offerName"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<RemoveRelationshipMutation, RemoveRelationshipMutationVariables>;