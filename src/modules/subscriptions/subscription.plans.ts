import type { PlanSpecs } from "../../graphql/planner/spec";
import type { SortOrder } from "../../graphql/relay";
import { Subscription } from "./subscription.entity";
import { subscriptionVisibility } from "./subscription.scope";
import { BY_CREATION } from "./subscription.service";

export const subscriptionPlans: PlanSpecs = {
  fields: {
    "Customer.subscriptions": {
      kind: "connection",
      type: "Subscription",
      entity: Subscription,
      alias: "s",
      order: BY_CREATION as SortOrder<never>,
      rows: (parent, sql) => (parent.c ? { from: "subscription s", where: `s.customer_id = ${parent.c}.id AND ${subscriptionVisibility("s", sql.viewer)}` } : null),
    },
  },
};
