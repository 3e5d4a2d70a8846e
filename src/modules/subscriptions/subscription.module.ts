import { defineModule } from "../module";
import { subscriptionPlans } from "./subscription.plans";
import { Subscription } from "./subscription.entity";
import { SubscriptionResolver } from "./subscription.resolver";
import { SubscriptionService } from "./subscription.service";

declare module "../../services" {
  interface Services {
    subscriptions: SubscriptionService;
  }
}

export const subscriptionsModule = defineModule({
  name: "subscriptions",
  plans: subscriptionPlans,
  entities: [Subscription],
  resolvers: [SubscriptionResolver],
  services: ({ dataSource }, { customers, audit, idempotency }) => ({ subscriptions: new SubscriptionService(dataSource, customers, audit, idempotency) }),
  fieldRules: {
    Subscription: { customer: "readCustomers" },
    Mutation: { subscriptionCreate: "manageSubscriptions", subscriptionSuspend: "manageSubscriptions", subscriptionReactivate: "manageSubscriptions" },
  },
  nodes: { Subscription: { read: "readCustomers", fetch: (ctx, id) => ctx.services.subscriptions.byId(ctx, id) } },
});
