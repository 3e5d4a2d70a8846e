import type { PlanSpecs } from "../../graphql/planner/spec";
import { Subscription } from "../subscriptions/subscription.entity";
import { PurchasePermission } from "./purchase-permission.entity";
import { purchasePermissionVisibility } from "./purchase-permission.scope";

export const purchasePermissionPlans: PlanSpecs = {
  fields: {
    "Customer.purchasePermissions": {
      kind: "list",
      type: "PurchasePermission",
      entity: PurchasePermission,
      alias: "pp",
      orderBy: "pp.granted_at ASC, pp.id ASC",
      rows: (parent, sql) => (parent.c ? { from: "purchase_permission pp", where: `pp.customer_id = ${parent.c}.id AND ${purchasePermissionVisibility("pp", sql.viewer)}` } : null),
    },
    // the plan a permission is billed on: the permission's own partner's sale (as the loader path joins it)
    "PurchasePermission.subscription": {
      kind: "one",
      type: "Subscription",
      entity: Subscription,
      alias: "s",
      rows: (parent) => (parent.pp ? { from: "subscription s", where: `s.id = ${parent.pp}.subscription_id` } : null),
    },
  },
};
