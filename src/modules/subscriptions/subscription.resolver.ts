import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { RequestContext } from "../../auth/context";
import { runMutation } from "../../graphql/mutation";
import { ConnectionType } from "../../graphql/relay";
import { Customer } from "../customers/customer.entity";
import { Subscription } from "./subscription.entity";
import {
  SubscriptionCreateInput,
  SubscriptionCreatePayload,
  SubscriptionReactivateInput,
  SubscriptionReactivatePayload,
  SubscriptionSuspendInput,
  SubscriptionSuspendPayload,
} from "./subscription.inputs";

export const SubscriptionConnection = ConnectionType(Subscription, "Subscription");

@Resolver(() => Subscription)
export class SubscriptionResolver {
  @FieldResolver(() => Customer, { nullable: true, description: "The customer the subscription was sold to (null once the caller no longer sees it)." })
  customer(@Root() subscription: Subscription, @Ctx() ctx: RequestContext) {
    // the customers service's scoped lookup, batched per request (a page of subscriptions costs one statement)
    return ctx.services.customers.byId(ctx, subscription.customerId);
  }

  @Mutation(() => SubscriptionCreatePayload, { nullable: true })
  subscriptionCreate(@Arg("input", () => SubscriptionCreateInput) input: SubscriptionCreateInput, @Ctx() ctx: RequestContext) {
    return runMutation<SubscriptionCreatePayload>(input, () => ctx.services.subscriptions.create(ctx, input));
  }

  @Mutation(() => SubscriptionSuspendPayload, { nullable: true })
  subscriptionSuspend(@Arg("input", () => SubscriptionSuspendInput) input: SubscriptionSuspendInput, @Ctx() ctx: RequestContext) {
    return runMutation<SubscriptionSuspendPayload>(input, () => ctx.services.subscriptions.suspend(ctx, input));
  }

  @Mutation(() => SubscriptionReactivatePayload, { nullable: true })
  subscriptionReactivate(@Arg("input", () => SubscriptionReactivateInput) input: SubscriptionReactivateInput, @Ctx() ctx: RequestContext) {
    return runMutation<SubscriptionReactivatePayload>(input, () => ctx.services.subscriptions.reactivate(ctx, input));
  }
}
