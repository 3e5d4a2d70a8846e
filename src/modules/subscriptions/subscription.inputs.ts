import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { MutationInput, MutationPayload } from "../../graphql/mutation";
import { Subscription } from "./subscription.entity";
import { SubscriptionKind } from "./subscription.enums";

@InputType()
export class SubscriptionCreateInput extends MutationInput {
  @Field(() => ID)
  customerId: string;

  @Field(() => String)
  offerName: string;

  @Field(() => SubscriptionKind)
  kind: SubscriptionKind;

  @Field(() => Int)
  quantity: number;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;
}

@InputType()
export class SubscriptionIdInput extends MutationInput {
  @Field(() => ID)
  id: string;
}

@InputType()
export class SubscriptionSuspendInput extends SubscriptionIdInput {}

@InputType()
export class SubscriptionReactivateInput extends SubscriptionIdInput {}

@ObjectType({ simpleResolvers: true })
export class SubscriptionPayload extends MutationPayload {
  @Field(() => Subscription, { nullable: true })
  subscription: Subscription | null;
}

@ObjectType({ simpleResolvers: true })
export class SubscriptionCreatePayload extends SubscriptionPayload {}

@ObjectType({ simpleResolvers: true })
export class SubscriptionSuspendPayload extends SubscriptionPayload {}

@ObjectType({ simpleResolvers: true })
export class SubscriptionReactivatePayload extends SubscriptionPayload {}
