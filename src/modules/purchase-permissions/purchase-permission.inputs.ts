import { Field, ID, InputType, ObjectType } from "type-graphql";
import { MutationInput, MutationPayload } from "../../graphql/mutation";
import { PurchasePermission, PurchaseResource } from "./purchase-permission.entity";

@InputType()
export class PurchasePermissionGrantInput extends MutationInput {
  @Field(() => ID)
  customerId: string;

  @Field(() => PurchaseResource)
  resource: PurchaseResource;

  @Field(() => ID, { nullable: true, description: "An ACTIVE Azure plan subscription of the customer; without it the customer's oldest active Azure plan is used." })
  subscriptionId?: string | null;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;
}

@InputType()
export class PurchasePermissionRevokeInput extends MutationInput {
  @Field(() => ID)
  id: string;
}

@ObjectType({ simpleResolvers: true })
export class PurchasePermissionGrantPayload extends MutationPayload {
  @Field(() => PurchasePermission, { nullable: true })
  purchasePermission: PurchasePermission | null;
}

@ObjectType({ simpleResolvers: true })
export class PurchasePermissionRevokePayload extends MutationPayload {
  @Field(() => ID, { nullable: true })
  revokedPurchasePermissionId: string | null;
}
