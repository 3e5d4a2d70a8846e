import { hasCapability } from "../../auth/permissions";
import { requireViewer } from "../../auth/context";
import { PlanSpecs, RootSpec, uuidArrayLiteral, uuidLiteral } from "../../graphql/planner/spec";
import { BindValue, decodeGlobalId, idOfType, MAX_NODES, SortOrder } from "../../graphql/relay";
import { Partner } from "../partners/partner.entity";
import { CustomerRelationship } from "../relationships/customer-relationship.entity";
import { RelationshipStatus } from "../relationships/relationship.enums";
import { Customer } from "./customer.entity";
import type { CustomerFilter, CustomerOrder } from "./customer.inputs";
import { customerFilterConditions, customerVisibility, listedStatus, visiblePartnersOf } from "./customer.scope";
import { customerSortOrder } from "./customer.service";
import type { RequestContext } from "../../auth/context";

/** Every planned customer carries the viewer's relationship (`Customer.scopeRelationship`), as the loader path's do. */
const CUSTOMER_ROWS = {
  type: "Customer",
  entity: Customer,
  alias: "c",
  attach: [{ property: "scopeRelationship", entity: CustomerRelationship, alias: "rel" }],
  // as the loader path does: nested reads of these customers (e.g. AuditRecord.customer) need no statement
  loaded: (ctx: RequestContext, customers: object[]) => ctx.services.customers.remember(ctx, customers as Customer[], true),
};

/**
 * Visible customers with the viewer's relationship joined, in one statement (`visiblePartnersOf` decides whose).
 * A list names the caller's partners and the status as literals (a generic plan per partner, `RootQuery.named`);
 * a lookup by key binds them (its generic plan is the primary key's whoever asks).
 */
async function visibleCustomers(ctx: RequestContext, status: RelationshipStatus, bind: BindValue, viewer: string, lookup: "list" | "byKey"): Promise<string> {
  const literal = lookup === "list";
  const scopeViewer = literal ? uuidLiteral(requireViewer(ctx).partnerId) : viewer;
  const statusSql = literal ? statusLiteral(status) : bind(status);
  const visible = await visiblePartnersOf(ctx, status, lookup, scopeViewer, (partnerIds) => {
    const ids = literal ? uuidArrayLiteral(partnerIds) : `${bind(partnerIds)}::uuid[]`;
    return (partnerId) => `${partnerId} = ANY(${ids})`;
  });
  return `customer c JOIN customer_relationship rel ON ${customerVisibility("c", "rel", { viewer: scopeViewer, status: statusSql, visible })}`;
}

/** A status literal: an enum value only, never caller text. */
function statusLiteral(status: RelationshipStatus): string {
  if (!Object.values(RelationshipStatus).includes(status)) throw new Error("not a relationship status");
  return `'${status}'`;
}

/** One visible customer by database id (`customer`, `node`). */
const byId = (ctx: RequestContext, id: string, bind: BindValue, viewer: string) =>
  visibleCustomers(ctx, RelationshipStatus.ACTIVE, bind, viewer, "byKey").then((from) => ({ from, where: [`c.id = ${bind(id)}`] }));

const node: RootSpec = {
  kind: "one",
  ...CUSTOMER_ROWS,
  async query(ctx, args, bind, viewer) {
    const decoded = decodeGlobalId(args.id as string);
    // other types, and callers whose roles may not read customers (the resolver refuses them), are not planned
    if (!decoded || decoded.type !== "Customer" || !hasCapability(requireViewer(ctx).roles, "readCustomers")) return null;
    return byId(ctx, decoded.id, bind, viewer);
  },
};

/** `nodes(ids:)` when every id is a customer's (and the caller may read customers); mixed lists stay on the resolver. */
const nodes: RootSpec = {
  kind: "many",
  ...CUSTOMER_ROWS,
  async query(ctx, args, bind, viewer) {
    const ids: string[] = [];
    for (const globalId of args.ids as string[]) {
      const decoded = decodeGlobalId(globalId);
      if (!decoded || decoded.type !== "Customer") return null;
      ids.push(decoded.id);
    }
    // beyond the resolver's bound it refuses the list: so does the resolver here
    if (ids.length === 0 || ids.length > MAX_NODES || !hasCapability(requireViewer(ctx).roles, "readCustomers")) return null;
    const from = await visibleCustomers(ctx, RelationshipStatus.ACTIVE, bind, viewer, "byKey");
    return { from, where: [`c.id = ANY(${bind(ids)}::uuid[])`], ids };
  },
};

export const customerPlans: PlanSpecs = {
  roots: {
    "Query.customers": {
      kind: "connection",
      ...CUSTOMER_ROWS,
      async query(ctx, args, bind, viewer) {
        const filter = args.filter as CustomerFilter | null | undefined;
        const status = listedStatus(filter);
        const from = await visibleCustomers(ctx, status, bind, viewer, "list");
        const where = customerFilterConditions(filter, bind, viewer);
        // a filter's values (a search pattern, a prefix) change how many rows match: such pages stay planned per call
        return { from, where, order: customerSortOrder(args.orderBy as CustomerOrder | null) as SortOrder<never>, named: where.length === 0 };
      },
    },
    "Query.customer": {
      kind: "one",
      ...CUSTOMER_ROWS,
      async query(ctx, args, bind, viewer) {
        const id = idOfType(args.id as string, "Customer");
        return id ? byId(ctx, id, bind, viewer) : "none";
      },
    },
    "Query.customerByDomain": {
      kind: "one",
      ...CUSTOMER_ROWS,
      async query(ctx, args, bind, viewer) {
        const domain = (args.domain as string).trim().toLowerCase();
        if (!domain || domain.length > 255) return "none";
        const from = await visibleCustomers(ctx, RelationshipStatus.ACTIVE, bind, viewer, "byKey");
        return { from, where: [`c.id = (SELECT bd.customer_id FROM customer_domain bd WHERE bd.domain = ${bind(domain)})`] };
      },
    },
    "Query.node": node,
    "Query.nodes": nodes,
  },
  fields: {
    "Customer.domains": {
      kind: "value",
      sql: (parent) => (parent.c ? `(SELECT coalesce(json_agg(d.domain ORDER BY d.is_default DESC, d.domain ASC), '[]'::json) FROM customer_domain d WHERE d.customer_id = ${parent.c}.id)` : null),
    },
    // the reseller the caller's relationship names, or the linked reseller whose relationship the caller sees
    "Customer.indirectReseller": {
      kind: "one",
      type: "Partner",
      entity: Partner,
      alias: "p",
      rows: (parent, sql) =>
        parent.rel ? { from: "partner p", where: `p.id = CASE WHEN ${parent.rel}.partner_id = ${sql.viewer} THEN ${parent.rel}.indirect_reseller_id ELSE ${parent.rel}.partner_id END` } : null,
    },
    "Customer.indirectProvider": {
      kind: "one",
      type: "Partner",
      entity: Partner,
      alias: "p",
      rows: (parent, sql) => (parent.rel ? { from: "partner p", where: `${parent.rel}.partner_id = ${sql.viewer} AND p.id = ${parent.rel}.indirect_provider_id` } : null),
    },
  },
};
