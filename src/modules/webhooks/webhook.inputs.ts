import { Field, ID, InputType, ObjectType } from "type-graphql";
import { MutationInput, MutationPayload } from "../../graphql/mutation";
import { Webhook, WebhookDelivery, WebhookDeliveryStatus } from "./webhook.entity";

@InputType()
export class WebhookCreateInput extends MutationInput {
  @Field(() => String, { description: "Where deliveries are POSTed; in production https on a public address." })
  url: string;

  @Field(() => [String], { description: "Event types to deliver, at least one (docs/webhooks.md)." })
  eventTypes: string[];

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class WebhookCreatePayload extends MutationPayload {
  @Field(() => Webhook, { nullable: true })
  webhook: Webhook | null;

  @Field(() => String, { nullable: true, description: "The signing secret (`whsec_…`), shown here only: store it now." })
  secret: string | null;
}

@InputType()
export class WebhookUpdateInput extends MutationInput {
  @Field(() => ID)
  id: string;

  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => [String], { nullable: true })
  eventTypes?: string[] | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: "true re-enables a disabled webhook (its failure count starts again at 0 and waiting deliveries are due at once)." })
  enabled?: boolean | null;
}

@ObjectType({ simpleResolvers: true })
export class WebhookUpdatePayload extends MutationPayload {
  @Field(() => Webhook, { nullable: true })
  webhook: Webhook | null;
}

@InputType()
export class WebhookIdInput extends MutationInput {
  @Field(() => ID)
  id: string;
}

@ObjectType({ simpleResolvers: true })
export class WebhookDeletePayload extends MutationPayload {
  @Field(() => ID, { nullable: true })
  deletedWebhookId: string | null;
}

@ObjectType({ simpleResolvers: true })
export class WebhookTestPayload extends MutationPayload {
  @Field(() => WebhookDelivery, { nullable: true, description: "The delivery of a `webhook.test` event to this webhook only; follow it in `webhookDeliveries`." })
  delivery: WebhookDelivery | null;
}

@InputType()
export class WebhookDeliveryFilter {
  @Field(() => WebhookDeliveryStatus, { nullable: true })
  status?: WebhookDeliveryStatus | null;
}
