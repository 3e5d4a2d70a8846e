import { Field, Int, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { Node } from "../../graphql/relay";
import { DateTimeScalar } from "../../graphql/scalars";
import { SubscriptionKind, SubscriptionStatus } from "./subscription.enums";

@ObjectType({ simpleResolvers: true, implements: Node, description: "A product the partner sold to a customer." })
@Entity("subscription")
export class Subscription extends Node {
  @PrimaryColumn("uuid")
  override id: string;

  get nodeType(): string {
    return "Subscription";
  }

  @Column("uuid", { name: "customer_id" })
  customerId: string;

  @Column("uuid", { name: "partner_id" })
  partnerId: string;

  @Field(() => String)
  @Column("text", { name: "offer_name" })
  offerName: string;

  @Field(() => SubscriptionKind)
  @Column("text")
  kind: SubscriptionKind;

  @Field(() => Int)
  @Column("integer")
  quantity: number;

  @Field(() => SubscriptionStatus)
  @Column("text")
  status: SubscriptionStatus;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "created_at" })
  createdAt: Date;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "updated_at" })
  updatedAt: Date;
}
