import { DataSource } from "typeorm";
import type { Config } from "./config";
import { AuditService } from "./modules/audit/audit.service";
import { CustomerService } from "./modules/customers/customer.service";
import { IdempotencyService } from "./modules/idempotency/idempotency.service";
import { PartnerService } from "./modules/partners/partner.service";
import { PurchasePermissionService } from "./modules/purchase-permissions/purchase-permission.service";
import { IndirectRelationshipService } from "./modules/relationships/indirect-relationship.service";
import { invitationSecretOf } from "./modules/relationships/invitation-token";
import { RelationshipService } from "./modules/relationships/relationship.service";
import { SubscriptionService } from "./modules/subscriptions/subscription.service";
import type { CacheBus } from "./server/cache-bus";

/** The application's services, created once per process; requests pass their context in. */
export interface Services {
  partners: PartnerService;
  audit: AuditService;
  idempotency: IdempotencyService;
  customers: CustomerService;
  subscriptions: SubscriptionService;
  purchasePermissions: PurchasePermissionService;
  relationships: RelationshipService;
  indirectRelationships: IndirectRelationshipService;
}

/** `caches` carries invalidations of the services' process caches to every instance (SharedState.caches). */
export function createServices(dataSource: DataSource, config: Pick<Config, "invitationSecret" | "dataDir">, caches: CacheBus): Services {
  const partners = new PartnerService(dataSource, caches);
  const audit = new AuditService(dataSource);
  const idempotency = new IdempotencyService();
  const indirectRelationships = new IndirectRelationshipService(dataSource, partners, audit, idempotency);
  const customers = new CustomerService(dataSource, partners, audit, idempotency, indirectRelationships);
  const subscriptions = new SubscriptionService(dataSource, customers, audit, idempotency);
  const purchasePermissions = new PurchasePermissionService(dataSource, customers, subscriptions, audit, idempotency);
  const relationships = new RelationshipService(dataSource, customers, partners, indirectRelationships, audit, idempotency, invitationSecretOf(config));
  return { partners, audit, idempotency, customers, subscriptions, purchasePermissions, relationships, indirectRelationships };
}
