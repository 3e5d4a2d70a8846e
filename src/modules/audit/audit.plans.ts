import { requireViewer } from "../../auth/context";
import type { PlanSpecs } from "../../graphql/planner/spec";
import type { SortOrder } from "../../graphql/relay";
import { AuditRecord } from "./audit-record.entity";
import { auditVisibility, hiddenResourceTypes } from "./audit.scope";
import { BY_TIME } from "./audit.service";

export const auditPlans: PlanSpecs = {
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
