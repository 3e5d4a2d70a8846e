import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { RequestContext } from "../../auth/context";
import { runMutation } from "../../graphql/mutation";
import { ConnectionArgs, ConnectionType } from "../../graphql/relay";
import { DomainEvent } from "../events/domain-event.entity";
import { Webhook, WebhookDelivery } from "./webhook.entity";
import {
  WebhookCreateInput,
  WebhookCreatePayload,
  WebhookDeletePayload,
  WebhookDeliveryFilter,
  WebhookIdInput,
  WebhookTestPayload,
  WebhookUpdateInput,
  WebhookUpdatePayload,
} from "./webhook.inputs";

export const WebhookConnection = ConnectionType(Webhook, "Webhook");
export const WebhookDeliveryConnection = ConnectionType(WebhookDelivery, "WebhookDelivery");

const ROLES = "Global admins and Admin agents";

@Resolver(() => Webhook)
export class WebhookResolver {
  @Query(() => WebhookConnection, { nullable: true, description: `The partner's webhooks, newest first (${ROLES}).` })
  webhooks(@Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: RequestContext) {
    return ctx.services.webhooks.list(ctx, args);
  }

  @Query(() => WebhookDeliveryConnection, { nullable: true, description: `One webhook's deliveries, newest first: attempts, last answer, next try (${ROLES}).` })
  webhookDeliveries(
    @Arg("webhookId", () => ID) webhookId: string,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg("filter", () => WebhookDeliveryFilter, { nullable: true }) filter: WebhookDeliveryFilter | null,
    @Ctx() ctx: RequestContext,
  ) {
    return ctx.services.webhooks.deliveries(ctx, webhookId, filter, args);
  }

  @Mutation(() => WebhookCreatePayload, { nullable: true, description: `Register an endpoint for signed event deliveries (${ROLES}); the payload shows its secret, once.` })
  webhookCreate(@Arg("input", () => WebhookCreateInput) input: WebhookCreateInput, @Ctx() ctx: RequestContext) {
    return runMutation<WebhookCreatePayload>(input, () => ctx.services.webhooks.create(ctx, input), { webhook: null, secret: null });
  }

  @Mutation(() => WebhookUpdatePayload, { nullable: true, description: `Change a webhook's URL, event types or description, or turn it off and on again (${ROLES}).` })
  webhookUpdate(@Arg("input", () => WebhookUpdateInput) input: WebhookUpdateInput, @Ctx() ctx: RequestContext) {
    return runMutation<WebhookUpdatePayload>(input, () => ctx.services.webhooks.update(ctx, input), { webhook: null });
  }

  @Mutation(() => WebhookDeletePayload, { nullable: true, description: `Remove a webhook and its pending deliveries (${ROLES}).` })
  webhookDelete(@Arg("input", () => WebhookIdInput) input: WebhookIdInput, @Ctx() ctx: RequestContext) {
    return runMutation<WebhookDeletePayload>(input, () => ctx.services.webhooks.delete(ctx, input), { deletedWebhookId: null });
  }

  @Mutation(() => WebhookTestPayload, { nullable: true, description: `Send a \`webhook.test\` event to this webhook only (${ROLES}).` })
  webhookTest(@Arg("input", () => WebhookIdInput) input: WebhookIdInput, @Ctx() ctx: RequestContext) {
    return runMutation<WebhookTestPayload>(input, () => ctx.services.webhooks.test(ctx, input), { delivery: null });
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  @FieldResolver(() => DomainEvent)
  async event(@Root() delivery: WebhookDelivery, @Ctx() ctx: RequestContext): Promise<DomainEvent> {
    return (await ctx.services.webhooks.eventOf(ctx, delivery))!;
  }
}
