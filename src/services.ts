import { DataSource } from "typeorm";
import { AuditService } from "./modules/audit/audit.service";
import { CustomerService } from "./modules/customers/customer.service";
import { IdempotencyService } from "./modules/idempotency/idempotency.service";
import { PartnerService } from "./modules/partners/partner.service";
import { PurchasePermissionService } from "./modules/purchase-permissions/purchase-permission.service";
import { SubscriptionService } from "./modules/subscriptions/subscription.service";

/** The application's services, created once per process; requests pass their context in. */
export interface Services {
  partners: PartnerService;
  audit: AuditService;
  idempotency: IdempotencyService;
  customers: CustomerService;
  subscriptions: SubscriptionService;
  purchasePermissions: PurchasePermissionService;
}

export function createServices(dataSource: DataSource): Services {
  const partners = new PartnerService(dataSource);
  const audit = new AuditService(dataSource);
  const idempotency = new IdempotencyService();
  const customers = new CustomerService(dataSource, partners, audit, idempotency);
  const subscriptions = new SubscriptionService(dataSource, customers, audit, idempotency);
  const purchasePermissions = new PurchasePermissionService(dataSource);
  return { partners, audit, idempotency, customers, subscriptions, purchasePermissions };
}
