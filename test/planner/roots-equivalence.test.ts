import { ALL_ROLES } from "../../src/auth/roles";
import { userId } from "../../src/db/seed/demo-data";
import type { Clock } from "../../src/modules/referrals/clock";
import { GqlResult, PartnerKey, partnerId, PartnerRole, TestApp } from "../support/harness";
import { globalIdOf } from "../support/kit";

/**
 * The planned root lists (`relationshipRequests`, `indirectResellers`,
 * `indirectProviders`, `referrals`, `auditRecords`) answer exactly what the
 * loader path answers: the same data (key order included) and the same errors
 * (path, code, message), for every filter, order and page below and every
 * caller; and the planned app answers each list in one statement, two with
 * `totalCount`, all of them the planner's.
 *
 * Both apps serve ONE database: `off` (READ_PLANNER=off) seeds it, `on`
 * (the planner on) opens it as is. A paged case follows `off`'s cursors, so
 * both apps always get the same variables. (`Query.subscriptions` does not
 * exist: subscriptions are listed under a customer only.)
 */

type Vars = Record<string, unknown>;

interface CallerSpec {
  partner: PartnerKey;
  roles: PartnerRole[];
}

const { GLOBAL_ADMIN: GA, ADMIN_AGENT: AA, SALES_AGENT: SA, HELPDESK_AGENT: HA, BILLING_ADMIN: BA, REFERRALS_ADMIN: RA, REFERRALS_USER: RU, USER_MANAGEMENT_ADMIN: UMA } = PartnerRole;

const CALLERS: CallerSpec[] = [
  ...ALL_ROLES.map((role) => ({ partner: "contoso" as PartnerKey, roles: [role] })),
  { partner: "contoso", roles: [RU, HA] },
  { partner: "fabrikam", roles: [GA] }, // the provider: its resellers
  { partner: "fabrikam", roles: [RU] },
  { partner: "fabrikam", roles: [UMA] },
  { partner: "northwind", roles: [GA] }, // a reseller: its providers
  { partner: "northwind", roles: [RA] },
  { partner: "northwind", roles: [SA] },
  { partner: "tailspin", roles: [GA] }, // US Government cloud
  { partner: "tailspin", roles: [BA] },
];
const label = (c: CallerSpec) => `${c.partner}:${c.roles.join("+")}`;

let off: TestApp;
let on: TestApp;
let fx: { contosoCustomer: string; fabrikamOnlyCustomer: string };

const sql = <T = any>(text: string, params: unknown[] = []) => off.sql<T>(text, params);

// ------------------------------------------------------------------ data

/** Rows beyond the demo data: ties on every order's column, every status, hidden audit types, null deal values. */
async function prepareData(): Promise<void> {
  const p = partnerId;
  // relationship requests: created in tied threes, every stored status, some expired
  for (const partner of ["contoso", "northwind"] as const) {
    await sql(
      `INSERT INTO relationship_request (partner_id, token_hash, status, include_delegated_admin, customer_domain, indirect_reseller_id, created_by, created_at, expires_at, accepted_at, cancelled_at)
       SELECT $1, md5(gen_random_uuid()::text || n), (ARRAY['PENDING', 'PENDING', 'ACCEPTED', 'CANCELLED'])[1 + n % 4], n % 2 = 0,
              CASE WHEN n % 3 = 0 THEN 'eq-pinned-' || n || '.onmicrosoft.com' END, CASE WHEN n % 5 = 0 THEN $3::uuid END, $2,
              t.at, t.at + interval '90 days',
              CASE WHEN n % 4 = 2 THEN t.at + interval '1 day' END, CASE WHEN n % 4 = 3 THEN t.at + interval '2 days' END
         FROM generate_series(1, 9) n
         CROSS JOIN LATERAL (SELECT date_trunc('second', now()) - ((n / 3) * 40 + 1) * interval '1 day' AS at) t`,
      [p(partner), userId(partner, AA), p("northwind")],
    );
  }
  // indirect links: Fabrikam's, invited at one instant (ties); Northwind's with other partners (one PENDING), one tied with Fabrikam's old one
  await sql(
    `INSERT INTO indirect_relationship (provider_id, reseller_id, status, invited_at, activated_at, removed_at) VALUES
       ($1, $2, 'REMOVED', '2024-06-01T00:00:00Z', '2024-06-02T00:00:00Z', '2024-07-01T00:00:00Z'),
       ($1, $2, 'REMOVED', '2024-06-01T00:00:00Z', '2024-06-02T00:00:00Z', '2024-08-01T00:00:00Z'),
       ($1, $3, 'PENDING', '2024-06-01T00:00:00Z', NULL, NULL),
       ($1, $4, 'REMOVED', '2024-06-01T00:00:00Z', NULL, '2024-06-05T00:00:00Z'),
       ($1, $5, 'REMOVED', '2023-01-01T00:00:00Z', '2023-01-02T00:00:00Z', '2023-05-01T00:00:00Z'),
       ($6, $5, 'REMOVED', '2023-01-01T00:00:00Z', '2023-01-02T00:00:00Z', '2023-03-01T00:00:00Z'),
       ($7, $5, 'REMOVED', '2022-01-01T00:00:00Z', NULL, '2022-03-01T00:00:00Z'),
       ($8, $5, 'PENDING', '2024-09-01T00:00:00Z', NULL, NULL)`,
    [p("fabrikam"), p("litware"), p("margie"), p("lucerne"), p("northwind"), p("contoso"), p("tailspin"), p("adatum")],
  );
  // referrals: Contoso → Fabrikam and Northwind → Contoso, created in tied pairs, equal and null deal values, some assigned
  for (const [from, to] of [
    ["contoso", "fabrikam"],
    ["northwind", "contoso"],
  ] as const) {
    await sql(
      `INSERT INTO referral (from_partner_id, to_partner_id, name, customer_name, contact_email, deal_value_amount, deal_value_currency, status, substatus,
                             from_assigned_to, to_assigned_to, created_by, created_at, expires_at, responded_at, closed_at, deal_name)
       SELECT $1, $2, 'Equivalence referral ' || n, 'Tie Customer', 'tie' || n || '@tie.example',
              CASE WHEN n % 3 = 0 THEN NULL ELSE 12000.00 END, CASE WHEN n % 3 = 0 THEN NULL ELSE 'USD' END,
              s.status, s.substatus,
              CASE WHEN n % 2 = 0 THEN $3::uuid END, CASE WHEN n % 2 = 1 THEN $4::uuid END, $5,
              t.at, t.at + interval '14 days',
              CASE WHEN s.status <> 'NEW' THEN t.at + interval '1 day' END, CASE WHEN s.status = 'CLOSED' THEN t.at + interval '2 days' END,
              CASE WHEN s.status = 'ACTIVE' THEN 'Tie deal' END
         FROM generate_series(1, 8) n
         CROSS JOIN LATERAL (SELECT date_trunc('second', now()) - ((n / 2) * 5 + 1) * interval '1 day' AS at) t
         CROSS JOIN LATERAL (SELECT (ARRAY['NEW', 'ACTIVE', 'CLOSED', 'NEW'])[1 + n % 4] AS status,
                                    (ARRAY[NULL, 'ACCEPTED', 'WON', NULL])[1 + n % 4] AS substatus) s`,
      [p(from), p(to), userId(from, RU), userId(to, RU), userId(from, RA)],
    );
  }
  // audit records: tied times, a hidden resource type (referral), records of no customer, an actor without a user
  const [contosoCustomer] = await sql(`SELECT customer_id FROM customer_relationship WHERE partner_id = $1 AND status = 'ACTIVE' ORDER BY customer_id LIMIT 1`, [p("contoso")]);
  const [fabrikamOnly] = await sql(
    `SELECT r.customer_id FROM customer_relationship r WHERE r.partner_id = $1 AND NOT EXISTS (SELECT 1 FROM customer_relationship o WHERE o.customer_id = r.customer_id AND o.partner_id <> $1) ORDER BY r.customer_id LIMIT 1`,
    [p("fabrikam")],
  );
  for (const partner of ["contoso", "fabrikam", "northwind", "tailspin"] as const) {
    const [customer] = await sql(`SELECT customer_id FROM customer_relationship WHERE partner_id = $1 AND status = 'ACTIVE' ORDER BY customer_id LIMIT 1`, [p(partner)]);
    await sql(
      `INSERT INTO audit_record (partner_id, customer_id, operation_type, resource_type, actor_user_id, actor_email, actor_roles, old_value, new_value, at) VALUES
         ($1, $2, 'update_customer_billing_profile', 'customer', $3, 'ga@x.example', '{GLOBAL_ADMIN}', '{"b": 1, "a": [1, "x"]}', '{"email": "new@x.example"}', '2026-03-01T00:00:00Z'),
         ($1, $2, 'create_subscription', 'subscription', $3, 'ga@x.example', '{GLOBAL_ADMIN,ADMIN_AGENT}', NULL, '{"kind": "LICENSE"}', '2026-03-01T00:00:00Z'),
         ($1, NULL, 'create_referral', 'referral', $3, 'ga@x.example', '{REFERRALS_ADMIN}', NULL, '{"name": "hidden from audit readers"}', '2026-03-01T00:00:00Z'),
         ($1, NULL, 'update_referral', 'referral', $3, 'ga@x.example', '{REFERRALS_ADMIN}', '{}', '{}', '2026-03-02T00:00:00Z'),
         ($1, $2, 'accept_relationship_request', 'relationship_request', NULL, 'admin@tenant.example', '{}', NULL, NULL, '2026-03-02T00:00:00Z'),
         ($1, NULL, 'invite_indirect_reseller', 'indirect_relationship', $3, 'ga@x.example', '{GLOBAL_ADMIN}', NULL, '{"status": "PENDING"}', '2026-03-03T00:00:00Z')`,
      [p(partner), customer.customer_id, userId(partner, GA)],
    );
  }
  fx = { contosoCustomer: globalIdOf("Customer", contosoCustomer.customer_id), fabrikamOnlyCustomer: globalIdOf("Customer", fabrikamOnly.customer_id) };
}

// ------------------------------------------------------------------ documents

const PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }";
const ARGS = "first: $first, after: $after, last: $last, before: $before, filter: $filter";
const PARAMS = "$first: Int, $after: String, $last: Int, $before: String";

interface Root {
  field: string;
  filterType: string;
  orderType?: string;
  /** Fields of a node whose nested objects cost no statement once warm (partner rows are cached per process). */
  fields: string;
  /** Nested objects each fetched by a statement of their own (resolvers on the planned rows). */
  deep: string;
}

const ROOTS: Record<string, Root> = {
  relationshipRequests: {
    field: "relationshipRequests",
    filterType: "RelationshipRequestFilter",
    fields: "__typename id status includeDelegatedAdmin customerDomain createdAt expiresAt acceptedAt cancelledAt invitationUrl indirectReseller { __typename id name mpnId }",
    deep: "id status customer { id companyName }",
  },
  indirectResellers: {
    field: "indirectResellers",
    filterType: "IndirectRelationshipFilter",
    fields: "__typename id status invitedAt activatedAt removedAt provider { id name } reseller { id name mpnId type }",
    deep: "id provider { name } reseller { name }",
  },
  indirectProviders: {
    field: "indirectProviders",
    filterType: "IndirectRelationshipFilter",
    fields: "__typename id status invitedAt activatedAt removedAt provider { id name mpnId type } reseller { id name }",
    deep: "id provider { name } reseller { name }",
  },
  referrals: {
    field: "referrals",
    filterType: "ReferralFilter",
    orderType: "ReferralOrder",
    fields: `__typename id name direction status substatus customerName customerContact { firstName lastName email phoneNumber } dealValue { amount currency }
      notes dealName expectedCloseDate responseNotes declineReason closeReason fromPartner { id name } toPartner { id name mpnId } createdAt expiresAt respondedAt closedAt`,
    deep: "id substatus assignedTo { id email }",
  },
  auditRecords: {
    field: "auditRecords",
    filterType: "AuditRecordFilter",
    fields: "__typename id operationType resourceType at actor { userId email roles } oldValue newValue",
    deep: "id customer { id companyName }",
  },
};

type Shape = "count" | "edges" | "deep";

/** One document per root and shape: `count` (totalCount, edges, nodes), `edges` (no totalCount), `deep` (nested statements). */
function document(root: Root, shape: Shape): string {
  const order = root.orderType ? `, $orderBy: ${root.orderType}` : "";
  const orderArg = root.orderType ? ", orderBy: $orderBy" : "";
  const body =
    shape === "count"
      ? `__typename totalCount edges { cursor node { id } } nodes { ${root.fields} } ${PAGE_INFO}`
      : shape === "edges"
        ? `edges { __typename cursor node { ${root.fields} } } ${PAGE_INFO}`
        : `nodes { ${root.deep} } ${PAGE_INFO}`;
  return `query ${root.field}_${shape}(${PARAMS}, $filter: ${root.filterType}${order}) {
  ${root.field}(${ARGS}${orderArg}) { ${body} }
}`;
}

// ------------------------------------------------------------------ cases

interface Case {
  name: string;
  root: Root;
  shape: Shape;
  vars: Vars;
  /** Further pages from `off`'s data; `forward` follows endCursor, `backward` startCursor. */
  paging?: "forward" | "backward";
  /** At most this many pages (default 1, or 12 when paging). */
  pages?: number;
  /** BAD_USER_INPUT is expected for the callers the root lets in. */
  badInput?: boolean;
  /** The callers that must see a non-empty first page (the case is not vacuous). */
  witness?: string[];
}

const connectionOf = (data: any, root: Root) => data?.[root.field];

function nextVars(c: Case, data: any, vars: Vars): Vars | null {
  const page = connectionOf(data, c.root)?.pageInfo;
  if (!page) return null;
  if (c.paging === "forward") return page.hasNextPage ? { ...vars, after: page.endCursor } : null;
  if (c.paging === "backward") return page.hasPreviousPage ? { ...vars, before: page.startCursor } : null;
  return null;
}

const CASES: Case[] = [];

/** Plain, paged (both ways, both shapes), sizes and bad input: what every root offers. */
function connectionCases(name: string, root: Root, extra: Vars = {}, witness: string[] = ["contoso:GLOBAL_ADMIN"]): void {
  CASES.push(
    { name: `${name}: default page`, root, shape: "count", vars: { ...extra }, witness },
    { name: `${name}: first 3, forward to the end`, root, shape: "edges", vars: { ...extra, first: 3 }, paging: "forward", witness },
    { name: `${name}: first 2 with totalCount, forward`, root, shape: "count", vars: { ...extra, first: 2 }, paging: "forward", pages: 4, witness },
    { name: `${name}: last 3, backward to the start`, root, shape: "edges", vars: { ...extra, last: 3 }, paging: "backward", witness },
    { name: `${name}: last 2 with totalCount, backward`, root, shape: "count", vars: { ...extra, last: 2 }, paging: "backward", pages: 4, witness },
    { name: `${name}: first 0`, root, shape: "count", vars: { ...extra, first: 0 } },
    { name: `${name}: first 500`, root, shape: "edges", vars: { ...extra, first: 500 }, witness },
    { name: `${name}: nested fields of their own`, root, shape: "deep", vars: { ...extra, first: 2 }, paging: "forward", pages: 3, witness },
    { name: `${name}: first -1`, root, shape: "count", vars: { ...extra, first: -1 }, badInput: true },
    { name: `${name}: first 501`, root, shape: "edges", vars: { ...extra, first: 501 }, badInput: true },
    { name: `${name}: first and last`, root, shape: "edges", vars: { ...extra, first: 1, last: 1 }, badInput: true },
    { name: `${name}: a cursor that is none`, root, shape: "edges", vars: { ...extra, first: 2, after: "bm90IGEgY3Vyc29y" }, badInput: true },
    { name: `${name}: a cursor of another list`, root, shape: "count", vars: { ...extra, last: 2, before: Buffer.from(JSON.stringify(["COMPANY_NAME_ASC", "x", "00000000-0000-4000-8000-000000000000"])).toString("base64url") }, badInput: true },
  );
}

const R = ROOTS;

// relationship requests
connectionCases("relationshipRequests", R.relationshipRequests!);
for (const status of ["PENDING", "EXPIRED", "ACCEPTED", "CANCELLED"]) {
  CASES.push({ name: `relationshipRequests: status ${status}`, root: R.relationshipRequests!, shape: "count", vars: { first: 20, filter: { status } }, witness: ["contoso:GLOBAL_ADMIN", "northwind:GLOBAL_ADMIN"] });
  CASES.push({ name: `relationshipRequests: status ${status}, first 1, forward`, root: R.relationshipRequests!, shape: "edges", vars: { first: 1, filter: { status } }, paging: "forward", witness: ["contoso:GLOBAL_ADMIN"] });
}
CASES.push({ name: "relationshipRequests: filter with no status", root: R.relationshipRequests!, shape: "count", vars: { first: 5, filter: {} }, witness: ["contoso:GLOBAL_ADMIN"] });

// indirect links, from both sides
for (const field of ["indirectResellers", "indirectProviders"] as const) {
  const witness = field === "indirectResellers" ? ["fabrikam:GLOBAL_ADMIN"] : ["northwind:GLOBAL_ADMIN"];
  connectionCases(field, R[field]!, {}, witness);
  CASES.push({ name: `${field}: first 1, forward to the end`, root: R[field]!, shape: "count", vars: { first: 1 }, paging: "forward", witness });
  for (const status of ["PENDING", "ACTIVE", "REMOVED"]) {
    CASES.push({ name: `${field}: status ${status}`, root: R[field]!, shape: "count", vars: { first: 10, filter: { status } }, witness });
  }
  CASES.push({ name: `${field}: status REMOVED, last 1, backward`, root: R[field]!, shape: "edges", vars: { last: 1, filter: { status: "REMOVED" } }, paging: "backward", witness });
}

// referrals: every order both ways, every filter
const REFERRAL_WITNESS = ["contoso:GLOBAL_ADMIN", "contoso:REFERRALS_USER", "northwind:REFERRALS_ADMIN"];
connectionCases("referrals", R.referrals!, {}, REFERRAL_WITNESS);
for (const field of ["CREATED_AT", "EXPIRES_AT", "DEAL_VALUE"]) {
  for (const direction of ["ASC", "DESC"]) {
    const orderBy = { field, direction };
    CASES.push({ name: `referrals: ${field} ${direction}, first 4, forward`, root: R.referrals!, shape: "edges", vars: { first: 4, orderBy }, paging: "forward", witness: REFERRAL_WITNESS });
    CASES.push({ name: `referrals: ${field} ${direction}, last 5 with totalCount, backward`, root: R.referrals!, shape: "count", vars: { last: 5, orderBy }, paging: "backward", witness: REFERRAL_WITNESS });
  }
}
CASES.push({ name: "referrals: orderBy without direction (ASC)", root: R.referrals!, shape: "count", vars: { first: 5, orderBy: { field: "DEAL_VALUE" } }, witness: REFERRAL_WITNESS });
CASES.push({
  name: "referrals: a CREATED_AT cursor under EXPIRES_AT",
  root: R.referrals!,
  shape: "edges",
  vars: { first: 2, orderBy: { field: "EXPIRES_AT", direction: "ASC" }, after: Buffer.from(JSON.stringify(["CREATED_AT_DESC", "2026-01-01T00:00:00.000Z", "00000000-0000-4000-8000-000000000000"])).toString("base64url") },
  badInput: true,
});
CASES.push({
  name: "referrals: a forged DEAL_VALUE cursor",
  root: R.referrals!,
  shape: "edges",
  vars: { first: 2, orderBy: { field: "DEAL_VALUE", direction: "ASC" }, after: Buffer.from(JSON.stringify(["DEAL_VALUE_ASC", "1; DROP TABLE referral", "00000000-0000-4000-8000-000000000000"])).toString("base64url") },
  badInput: true,
});
const REFERRAL_FILTERS: [string, Vars][] = [
  ["status NEW", { status: "NEW" }],
  ["status ACTIVE", { status: "ACTIVE" }],
  ["status CLOSED (expired included)", { status: "CLOSED" }],
  ...["PENDING", "RECEIVED", "ACCEPTED", "WON", "LOST", "DECLINED", "EXPIRED"].map((substatus): [string, Vars] => [`substatus ${substatus}`, { substatus }]),
  ["direction INCOMING", { direction: "INCOMING" }],
  ["direction OUTGOING", { direction: "OUTGOING" }],
  ["assignedToMe true", { assignedToMe: true }],
  ["assignedToMe false", { assignedToMe: false }],
  ["createdAfter", { createdAfter: "2026-01-01T00:00:00.000Z" }],
  ["status NEW, substatus RECEIVED, INCOMING, assigned to me", { status: "NEW", substatus: "RECEIVED", direction: "INCOMING", assignedToMe: true }],
  ["status CLOSED and substatus EXPIRED, OUTGOING", { status: "CLOSED", substatus: "EXPIRED", direction: "OUTGOING" }],
  ["status ACTIVE and substatus WON (nothing)", { status: "ACTIVE", substatus: "WON" }],
];
for (const [name, filter] of REFERRAL_FILTERS) {
  CASES.push({ name: `referrals: ${name}`, root: R.referrals!, shape: "count", vars: { first: 20, filter, orderBy: { field: "DEAL_VALUE", direction: "DESC" } } });
  CASES.push({ name: `referrals: ${name}, first 2, forward`, root: R.referrals!, shape: "edges", vars: { first: 2, filter }, paging: "forward", pages: 4 });
}

// audit records
const AUDIT_WITNESS = ["contoso:GLOBAL_ADMIN", "contoso:HELPDESK_AGENT", "tailspin:GLOBAL_ADMIN"];
connectionCases("auditRecords", R.auditRecords!, {}, AUDIT_WITNESS);
const AUDIT_FILTERS: [string, (f: typeof fx) => Vars, string[]?][] = [
  ["resourceType referral (hidden from some)", () => ({ resourceType: "referral" }), ["contoso:GLOBAL_ADMIN"]],
  ["resourceType customer", () => ({ resourceType: "customer" }), AUDIT_WITNESS],
  ["operationType", () => ({ operationType: "create_subscription" }), AUDIT_WITNESS],
  ["from (inclusive)", () => ({ from: "2026-03-02T00:00:00.000Z" }), AUDIT_WITNESS],
  ["to (exclusive)", () => ({ to: "2026-03-02T00:00:00.000Z" }), AUDIT_WITNESS],
  ["from and to", () => ({ from: "2026-03-01T00:00:00.000Z", to: "2026-03-03T00:00:00.000Z" }), AUDIT_WITNESS],
  ["customerId of Contoso's", (f) => ({ customerId: f.contosoCustomer }), ["contoso:GLOBAL_ADMIN"]],
  ["customerId of nobody else's", (f) => ({ customerId: f.fabrikamOnlyCustomer })],
  ["every filter at once", (f) => ({ customerId: f.contosoCustomer, resourceType: "customer", operationType: "update_customer_billing_profile", from: "2026-03-01T00:00:00.000Z", to: "2026-03-02T00:00:00.000Z" }), ["contoso:GLOBAL_ADMIN"]],
  ["empty strings (ignored)", () => ({ customerId: "", resourceType: "", operationType: "" }), AUDIT_WITNESS],
];
const auditFilterCases: ((f: typeof fx) => Case)[] = [];
for (const [name, filter, witness] of AUDIT_FILTERS) {
  auditFilterCases.push((f) => ({ name: `auditRecords: ${name}`, root: R.auditRecords!, shape: "count", vars: { first: 10, filter: filter(f) }, witness }));
  auditFilterCases.push((f) => ({ name: `auditRecords: ${name}, last 2, backward`, root: R.auditRecords!, shape: "edges", vars: { last: 2, filter: filter(f) }, paging: "backward", pages: 5 }));
}
auditFilterCases.push(() => ({ name: "auditRecords: customerId not a Customer id", root: R.auditRecords!, shape: "count", vars: { first: 2, filter: { customerId: globalIdOf("Partner", partnerId("contoso")) } }, badInput: true }));
auditFilterCases.push(() => ({ name: "auditRecords: customerId not a global id", root: R.auditRecords!, shape: "edges", vars: { first: 2, filter: { customerId: "nonsense" } }, badInput: true }));

// ------------------------------------------------------------------ comparison

interface Normalized {
  data: unknown;
  errors: { path: (string | number)[] | null; code: unknown; message: string }[];
}

/** What a client sees, less what differs per request. */
function normalize(result: GqlResult): Normalized {
  const errors = (result.errors ?? [])
    .map((e) => ({ path: e.path ?? null, code: e.extensions?.code ?? null, message: e.message }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { data: JSON.parse(JSON.stringify(result.data ?? null)), errors };
}

/** Equal as jest compares them, and as JSON text (the order of keys in `data` is part of the response). */
function expectSame(actual: GqlResult, expected: GqlResult, context: string): void {
  const a = normalize(actual);
  const b = normalize(expected);
  expect({ context, ...a }).toStrictEqual({ context, ...b });
  expect({ context, json: JSON.stringify(a.data) }).toEqual({ context, json: JSON.stringify(b.data) });
}

const EXPECTED_CODES = new Set(["FORBIDDEN", "BAD_USER_INPUT"]);

async function runCase(c: Case): Promise<void> {
  const witnessed = new Set<string>();
  let paged = false;
  for (const caller of CALLERS) {
    const who = label(caller);
    let vars: Vars | null = c.vars;
    const pages = c.pages ?? (c.paging ? 12 : 1);
    for (let page = 1; page <= pages && vars; page++) {
      const context = `${c.root.field} ${c.shape} as ${who}, page ${page}, variables ${JSON.stringify(vars)}`;
      const query = document(c.root, c.shape);
      const offResult: GqlResult = await run(off, caller, query, vars);
      const onResult = await run(on, caller, query, vars);
      expectSame(onResult, offResult, context);

      // again on the planned app, warm: its statements, all the planner's
      const { result: again, planned } = await measured(caller, query, vars);
      expectSame(again, offResult, `${context} (again)`);
      const connection = connectionOf(offResult.data, c.root);
      if (c.shape !== "deep") {
        const expected = connection == null ? 0 : (vars.first === 0 ? 0 : 1) + (c.shape === "count" ? 1 : 0);
        expect({ context, sql: again.sql, planned }).toEqual({ context, sql: expected, planned: expected });
      } else if (connection != null && (vars.first !== 0)) {
        expect({ context, plannedPage: planned }).toEqual({ context, plannedPage: 1 });
      }

      // the documents themselves must be right: only FORBIDDEN (roles) and, where the case says so, BAD_USER_INPUT
      const codes = (offResult.errors ?? []).map((e) => String(e.extensions?.code));
      expect({ context, codes: codes.filter((code) => !EXPECTED_CODES.has(code) || (code === "BAD_USER_INPUT" && !c.badInput)) }).toEqual({ context, codes: [] });
      if (c.badInput && page === 1 && !codes.includes("FORBIDDEN")) expect({ context, codes }).toEqual({ context, codes: ["BAD_USER_INPUT"] });

      const items = connection?.edges ?? connection?.nodes ?? [];
      if (page === 1 && items.length > 0) witnessed.add(who);
      if (page === 2) paged = true;
      vars = page < pages ? nextVars(c, offResult.data, vars) : null;
    }
  }
  for (const who of c.witness ?? []) expect({ case: c.name, witness: who, nonEmpty: witnessed.has(who) }).toEqual({ case: c.name, witness: who, nonEmpty: true });
  if (c.paging && c.witness?.length) expect({ case: c.name, paged }).toEqual({ case: c.name, paged: true });
}

/**
 * One token per caller and app, signed once: the verification cache is keyed
 * by the token, so a token signed anew (in another second) would cost a user
 * lookup and make statement counts flaky.
 */
const tokens = new Map<string, Promise<string>>();
function run(app: TestApp, caller: CallerSpec, query: string, vars?: Vars): Promise<GqlResult> {
  const key = `${app === off ? "off" : "on"}|${label(caller)}`;
  let token = tokens.get(key);
  if (!token) tokens.set(key, (token = app.token(caller.partner, ...caller.roles)));
  return token.then((t) => app.run(query, vars, t));
}

/**
 * A warm run on the planned app (the caller's token check and the partner rows
 * it shows are cached by an earlier run) and the planner's statements in it.
 * Those caches refresh after a minute: an entry that expired since the earlier
 * run costs this one a statement that is not the planner's, so once more then.
 */
async function measured(caller: CallerSpec, query: string, vars: Vars): Promise<{ result: GqlResult; planned: number }> {
  const once = async () => {
    const before = on.app.planner!.stats.statements;
    const result = await run(on, caller, query, vars);
    return { result, planned: on.app.planner!.stats.statements - before };
  };
  const first = await once();
  return first.result.sql === first.planned ? first : once();
}

/** The referral service's clock of an app. */
async function clockOf(app: TestApp): Promise<Clock> {
  return (await app.app.contextFor()).services.referrals.clock;
}

// ------------------------------------------------------------------ tests

beforeAll(async () => {
  off = await TestApp.start({ env: { READ_PLANNER: "off" } });
  await prepareData();
  if (!off.config.databaseUrl) throw new Error("the first app has no database URL");
  on = await TestApp.start({ databaseUrl: off.config.databaseUrl, seed: false, env: { READ_PLANNER: "on" } });
  // one instant for both apps' referral clocks (expiry is decided against it, in SQL and on each row)
  const now = new Date();
  for (const app of [off, on]) (await clockOf(app)).set(now);
  // warm-up: each caller's token check and the partner rows these lists show, cached per app after the first sight
  const warm = `{ v: viewer { partner { id } } }`;
  for (const caller of CALLERS) for (const app of [off, on]) await run(app, caller, warm);
});
afterAll(async () => {
  await on?.close();
  await off?.close();
});

const groups = new Map<string, Case[]>();
for (const c of CASES) {
  const list = groups.get(c.root.field) ?? [];
  list.push(c);
  groups.set(c.root.field, list);
}
for (const [field, cases] of groups) {
  describe(field, () => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => runCase(c));
    if (field === "auditRecords") {
      it.each(auditFilterCases.map((make, i) => [i, make] as const))("filter case %i", async (_i, make) => runCase(make(fx)));
    }
  });
}

describe("referrals against a moved clock", () => {
  // five hours on, the seeded "about to expire" referrals have expired: both paths decide it against the same clock
  beforeAll(async () => {
    for (const app of [off, on]) (await clockOf(app)).advance(5 * 3_600_000);
  });
  afterAll(async () => {
    for (const app of [off, on]) (await clockOf(app)).advance(-5 * 3_600_000);
  });
  const cases: Case[] = [
    { name: "status NEW", root: R.referrals!, shape: "count", vars: { first: 30, filter: { status: "NEW" } }, witness: ["contoso:GLOBAL_ADMIN"] },
    { name: "substatus EXPIRED", root: R.referrals!, shape: "count", vars: { first: 30, filter: { substatus: "EXPIRED" } }, witness: ["contoso:GLOBAL_ADMIN"] },
    { name: "status CLOSED, first 3, forward", root: R.referrals!, shape: "edges", vars: { first: 3, filter: { status: "CLOSED" } }, paging: "forward", witness: ["contoso:GLOBAL_ADMIN"] },
    { name: "everything, EXPIRES_AT ASC, last 4, backward", root: R.referrals!, shape: "count", vars: { last: 4, orderBy: { field: "EXPIRES_AT", direction: "ASC" } }, paging: "backward", witness: ["contoso:GLOBAL_ADMIN"] },
  ];
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => runCase(c));
});

describe("several planned roots in one document", () => {
  it("answers each root in its own statement, equal to the loader path", async () => {
    const query = `query All($first: Int) {
      relationshipRequests(first: $first) { nodes { id status } }
      indirectResellers(first: $first) { totalCount nodes { id status } }
      indirectProviders(first: $first) { nodes { id } }
      referrals(first: $first, orderBy: { field: DEAL_VALUE, direction: DESC }) { nodes { id status substatus dealValue { amount } } }
      auditRecords(last: $first) { totalCount nodes { id resourceType } }
    }`;
    for (const caller of CALLERS) {
      const context = label(caller);
      const offResult = await run(off, caller, query, { first: 4 });
      const onResult = await run(on, caller, query, { first: 4 });
      expectSame(onResult, offResult, context);
      const again = await measured(caller, query, { first: 4 });
      expectSame(again.result, offResult, `${context} (again)`);
      const data = offResult.data as Record<string, unknown>;
      const expected = ["relationshipRequests", "indirectResellers", "indirectProviders", "referrals", "auditRecords"].reduce(
        (n, field) => n + (data[field] == null ? 0 : field === "indirectResellers" || field === "auditRecords" ? 2 : 1),
        0,
      );
      expect({ context, sql: again.result.sql, planned: again.planned }).toEqual({ context, sql: expected, planned: expected });
    }
  });
});
