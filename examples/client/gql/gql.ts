/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ListCustomers($first: Int!, $after: String, $filter: CustomerFilter, $withTotal: Boolean!) {\n    customers(first: $first, after: $after, filter: $filter, orderBy: { field: COMPANY_NAME, direction: ASC }) {\n      totalCount @include(if: $withTotal)\n      nodes {\n        id\n        companyName\n        defaultDomain\n        country\n        createdAt\n        relationship {\n          status\n          removedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ListCustomersDocument,
    "\n  mutation CreateCustomer($input: CustomerCreateInput!) {\n    customerCreate(input: $input) {\n      customer {\n        id\n        tenantId\n        companyName\n        defaultDomain\n        relationship {\n          status\n          establishedVia\n        }\n      }\n      initialAdmin {\n        userName\n        temporaryPassword\n      }\n      userErrors {\n        field\n        code\n        message\n      }\n    }\n  }\n": typeof types.CreateCustomerDocument,
    "\n  mutation RemoveRelationship($input: RelationshipRemoveInput!) {\n    relationshipRemove(input: $input) {\n      removedCustomerId\n      suspendedSubscriptions {\n        id\n        offerName\n        status\n      }\n      userErrors {\n        field\n        code\n        message\n      }\n    }\n  }\n": typeof types.RemoveRelationshipDocument,
};
const documents: Documents = {
    "\n  query ListCustomers($first: Int!, $after: String, $filter: CustomerFilter, $withTotal: Boolean!) {\n    customers(first: $first, after: $after, filter: $filter, orderBy: { field: COMPANY_NAME, direction: ASC }) {\n      totalCount @include(if: $withTotal)\n      nodes {\n        id\n        companyName\n        defaultDomain\n        country\n        createdAt\n        relationship {\n          status\n          removedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ListCustomersDocument,
    "\n  mutation CreateCustomer($input: CustomerCreateInput!) {\n    customerCreate(input: $input) {\n      customer {\n        id\n        tenantId\n        companyName\n        defaultDomain\n        relationship {\n          status\n          establishedVia\n        }\n      }\n      initialAdmin {\n        userName\n        temporaryPassword\n      }\n      userErrors {\n        field\n        code\n        message\n      }\n    }\n  }\n": types.CreateCustomerDocument,
    "\n  mutation RemoveRelationship($input: RelationshipRemoveInput!) {\n    relationshipRemove(input: $input) {\n      removedCustomerId\n      suspendedSubscriptions {\n        id\n        offerName\n        status\n      }\n      userErrors {\n        field\n        code\n        message\n      }\n    }\n  }\n": types.RemoveRelationshipDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListCustomers($first: Int!, $after: String, $filter: CustomerFilter, $withTotal: Boolean!) {\n    customers(first: $first, after: $after, filter: $filter, orderBy: { field: COMPANY_NAME, direction: ASC }) {\n      totalCount @include(if: $withTotal)\n      nodes {\n        id\n        companyName\n        defaultDomain\n        country\n        createdAt\n        relationship {\n          status\n          removedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query ListCustomers($first: Int!, $after: String, $filter: CustomerFilter, $withTotal: Boolean!) {\n    customers(first: $first, after: $after, filter: $filter, orderBy: { field: COMPANY_NAME, direction: ASC }) {\n      totalCount @include(if: $withTotal)\n      nodes {\n        id\n        companyName\n        defaultDomain\n        country\n        createdAt\n        relationship {\n          status\n          removedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCustomer($input: CustomerCreateInput!) {\n    customerCreate(input: $input) {\n      customer {\n        id\n        tenantId\n        companyName\n        defaultDomain\n        relationship {\n          status\n          establishedVia\n        }\n      }\n      initialAdmin {\n        userName\n        temporaryPassword\n      }\n      userErrors {\n        field\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateCustomer($input: CustomerCreateInput!) {\n    customerCreate(input: $input) {\n      customer {\n        id\n        tenantId\n        companyName\n        defaultDomain\n        relationship {\n          status\n          establishedVia\n        }\n      }\n      initialAdmin {\n        userName\n        temporaryPassword\n      }\n      userErrors {\n        field\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveRelationship($input: RelationshipRemoveInput!) {\n    relationshipRemove(input: $input) {\n      removedCustomerId\n      suspendedSubscriptions {\n        id\n        offerName\n        status\n      }\n      userErrors {\n        field\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveRelationship($input: RelationshipRemoveInput!) {\n    relationshipRemove(input: $input) {\n      removedCustomerId\n      suspendedSubscriptions {\n        id\n        offerName\n        status\n      }\n      userErrors {\n        field\n        code\n        message\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;