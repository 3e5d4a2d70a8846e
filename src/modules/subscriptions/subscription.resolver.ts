import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { RequestContext } from "../../auth/context";
import { runMutation } from "../../graphql/mutation";
import { ConnectionType } from "../../graphql/relay";
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
