import { defineModule } from "../module";
import { auditPlans } from "./audit.plans";
import { AuditRecord } from "./audit-record.entity";
import { AuditRecordResolver } from "./audit.resolver";
import { AuditService } from "./audit.service";

declare module "../../services" {
  interface Services {
    audit: AuditService;
  }
}

export const auditModule = defineModule({
  name: "audit",
  plans: auditPlans,
  entities: [AuditRecord],
  resolvers: [AuditRecordResolver],
  services: ({ dataSource }, { events }) => ({ audit: new AuditService(dataSource, events) }),
  fieldRules: {
    Query: { auditRecords: "readAuditRecords" },
    AuditRecord: { customer: "readCustomers" },
  },
  nodes: { AuditRecord: { read: "readAuditRecords", fetch: (ctx, id) => ctx.services.audit.byId(ctx, id) } },
});
