import type { Client } from "./client";
import { graphql } from "./gql";
import type { CustomerCreateInput, CustomerFilter, ListCustomersQuery, ListCustomersQueryVariables, UserErrorCode } from "./gql/graphql";

/**
 * Example operations a partner portal front end runs, typed by `npm run codegen`: every
 * `graphql(...)` text below becomes a TypedDocumentNode whose variables and result types come
 * from schema.graphql, so a misspelt field or a wrong variable fails `tsc`, not the browser.
 */

export const ListCustomersDocument = graphql(`
  query ListCustomers($first: Int!, $after: String, $filter: CustomerFilter, $withTotal: Boolean!) {
    customers(first: $first, after: $after, filter: $filter, orderBy: { field: COMPANY_NAME, direction: ASC }) {
      totalCount @include(if: $withTotal)
      nodes {
        id
        companyName
        defaultDomain
        country
        createdAt
        relationship {
          status
          removedAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const CreateCustomerDocument = graphql(`
  mutation CreateCustomer($input: CustomerCreateInput!) {
    customerCreate(input: $input) {
      customer {
        id
        tenantId
        companyName
        defaultDomain
        relationship {
          status
          establishedVia
        }
      }
      initialAdmin {
        userName
        temporaryPassword
      }
      userErrors {
        field
        code
        message
      }
    }
  }
`);

export const RemoveRelationshipDocument = graphql(`
  mutation RemoveRelationship($input: RelationshipRemoveInput!) {
    relationshipRemove(input: $input) {
      removedCustomerId
      suspendedSubscriptions {
        id
        offerName
        status
      }
      userErrors {
        field
        code
        message
      }
    }
  }
`);

/** One row of the list, as the generated result type has it. */
export type CustomerRow = NonNullable<ListCustomersQuery["customers"]>["nodes"][number];

export interface CustomerPage {
  rows: CustomerRow[];
  /** The cursor this page was read after (null for the first page). */
  after: string | null;
  endCursor: string | null;
  hasNextPage: boolean;
  /** Only on the first page (`totalCount` is counted only when selected). */
  totalCount?: number;
}

/** Follows `pageInfo.endCursor` until `hasNextPage` is false, one page per iteration. */
export async function* customerPages(client: Client, options: { pageSize?: number; filter?: CustomerFilter } = {}): AsyncGenerator<CustomerPage> {
  let after: string | null = null;
  for (;;) {
    const variables: ListCustomersQueryVariables = { first: options.pageSize ?? 50, after, filter: options.filter, withTotal: after === null };
    const { customers } = await client(ListCustomersDocument, variables);
    // null means the caller's roles may not list customers (the error made the client throw already)
    if (!customers) throw new Error("customers is null");
    const { hasNextPage, endCursor } = customers.pageInfo;
    yield { rows: customers.nodes, after, endCursor, hasNextPage, totalCount: customers.totalCount };
    if (!hasNextPage || !endCursor) return;
    after = endCursor;
  }
}

export async function listAllCustomers(client: Client, options: { pageSize?: number; filter?: CustomerFilter } = {}): Promise<CustomerRow[]> {
  const rows: CustomerRow[] = [];
  for await (const page of customerPages(client, options)) rows.push(...page.rows);
  return rows;
}

/** A payload's `userErrors` entry: `code` is the schema's UserErrorCode union, so a misspelt code does not compile. */
export interface UserError {
  field: string[] | null;
  code: UserErrorCode;
  message: string;
}

/** Business-rule and validation failures come back as data, not as thrown errors. */
export type MutationResult<T> = { ok: true; value: T } | { ok: false; userErrors: UserError[] };

type CreatedCustomer = NonNullable<NonNullable<Awaited<ReturnType<typeof runCreate>>["customerCreate"]>["customer"]>;
type InitialAdmin = NonNullable<NonNullable<Awaited<ReturnType<typeof runCreate>>["customerCreate"]>["initialAdmin"]>;

const runCreate = (client: Client, input: CustomerCreateInput) => client(CreateCustomerDocument, { input });

export async function createCustomer(client: Client, input: CustomerCreateInput): Promise<MutationResult<{ customer: CreatedCustomer; initialAdmin: InitialAdmin | null }>> {
  const { customerCreate } = await runCreate(client, input);
  if (!customerCreate) throw new Error("customerCreate is null");
  if (customerCreate.userErrors.length > 0 || !customerCreate.customer) return { ok: false, userErrors: customerCreate.userErrors };
  return { ok: true, value: { customer: customerCreate.customer, initialAdmin: customerCreate.initialAdmin } };
}

/**
 * What a form shows beside each input: userErrors keyed by their field path without the
 * leading "input" (`billingProfile.email`), errors about the input as a whole under "".
 */
export function formErrors(userErrors: readonly UserError[]): Record<string, string[]> {
  const byField: Record<string, string[]> = {};
  for (const error of userErrors) {
    const key = (error.field ?? []).filter((part, i) => !(i === 0 && part === "input")).join(".");
    (byField[key] ??= []).push(error.message);
  }
  return byField;
}

/** A sentence for the codes a "new customer" form expects; the message the server wrote for the others. */
export function explainCreateError(error: UserError): string {
  switch (error.code) {
    case "DOMAIN_TAKEN":
      return "That domain is already in use: choose another domain prefix.";
    case "INVALID_DOMAIN":
      return "A domain prefix is letters and digits (a hyphen inside is fine).";
    case "REGION_MISMATCH":
      return "Your partner cannot serve customers in that country.";
    case "IDEMPOTENCY_KEY_REUSED":
      return "This form was already submitted with other values; reload it.";
    default:
      return error.message;
  }
}

type Removal = { removedCustomerId: string; suspendedSubscriptions: { id: string; offerName: string; status: string }[] };

/** Ends the partner's relationship with a customer (Global admins); ACTIVE_SUBSCRIPTIONS unless they may be suspended. */
export async function removeRelationship(client: Client, customerId: string, options: { suspendActiveSubscriptions?: boolean } = {}): Promise<MutationResult<Removal>> {
  const { relationshipRemove } = await client(RemoveRelationshipDocument, { input: { customerId, suspendActiveSubscriptions: options.suspendActiveSubscriptions ?? false } });
  if (!relationshipRemove) throw new Error("relationshipRemove is null");
  if (relationshipRemove.userErrors.length > 0 || !relationshipRemove.removedCustomerId) return { ok: false, userErrors: relationshipRemove.userErrors };
  return { ok: true, value: { removedCustomerId: relationshipRemove.removedCustomerId, suspendedSubscriptions: relationshipRemove.suspendedSubscriptions } };
}
