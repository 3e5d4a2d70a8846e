import { requireViewer } from "../../auth/context";
import type { PlanSpecs } from "../../graphql/planner/spec";
import type { SortOrder } from "../../graphql/relay";
import { AuditRecord } from "./audit-record.entity";
import { AuditFilter, auditCustomerIdArgument, auditFilterConditions, auditVisibility, hiddenResourceTypes } from "./audit.scope";
import { BY_TIME } from "./audit.service";

export const auditPlans: PlanSpecs = {
  roots: {
    // actor is a getter on the row; customer resolves on it as before
    "Query.auditRecords": {
      kind: "connection",
      type: "AuditRecord",
      entity: AuditRecord,
      alias: "a",
      async query(ctx, args, bind, viewer) {
        const f = (args.filter ?? {}) as AuditFilter;
        // bad input as the resolver throws it, before any SQL
        const filter = { ...f, customerId: auditCustomerIdArgument(f.customerId) };
        return {
          from: "audit_record a",
          where: [auditVisibility("a", { viewer, hidden: `CAST(${bind(hiddenResourceTypes(requireViewer(ctx)))} AS text[])` }), ...auditFilterConditions(filter, bind)],
          order: BY_TIME as SortOrder<never>,
        };
      },
    },
  },
  fields: {
    "Customer.auditRecords": {
      kind: "connection",
      type: "AuditRecord",
      entity: AuditRecord,
      alias: "a",
      order: BY_TIME as SortOrder<never>,
      rows: (parent, sql) =>
        parent.c
          ? {
              from: "audit_record a",
              where: `a.customer_id = ${parent.c}.id AND ${auditVisibility("a", { viewer: sql.viewer, hidden: sql.param((run) => hiddenResourceTypes(requireViewer(run.ctx))) })}`,
            }
          : null,
    },
  },
};
