import { defineModule } from "../module";
import { purchasePermissionPlans } from "./purchase-permission.plans";
import { PurchasePermission } from "./purchase-permission.entity";
import { PurchasePermissionResolver } from "./purchase-permission.resolver";
import { PurchasePermissionService } from "./purchase-permission.service";

declare module "../../services" {
  interface Services {
    purchasePermissions: PurchasePermissionService;
  }
}

export const purchasePermissionsModule = defineModule({
  name: "purchase-permissions",
  plans: purchasePermissionPlans,
  entities: [PurchasePermission],
  resolvers: [PurchasePermissionResolver],
  services: ({ dataSource }, { customers, subscriptions, audit, idempotency }) => ({
    purchasePermissions: new PurchasePermissionService(dataSource, customers, subscriptions, audit, idempotency),
  }),
  fieldRules: { Mutation: { purchasePermissionGrant: "managePurchasePermissions", purchasePermissionRevoke: "managePurchasePermissions" } },
  nodes: { PurchasePermission: { read: "readPurchasePermissions", fetch: (ctx, id) => ctx.services.purchasePermissions.byId(ctx, id) } },
});
