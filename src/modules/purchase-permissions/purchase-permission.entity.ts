import { Field, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { Node } from "../../graphql/relay";
import { DateTimeScalar } from "../../graphql/scalars";
import type { Subscription } from "../subscriptions/subscription.entity";

export enum PurchaseResource {
  AZURE_RESERVATIONS = "AZURE_RESERVATIONS",
  AZURE_SAVINGS_PLANS = "AZURE_SAVINGS_PLANS",
}
registerEnumType(PurchaseResource, { name: "PurchaseResource" });

export enum PurchaseAction {
  PURCHASE = "PURCHASE",
}
registerEnumType(PurchaseAction, { name: "PurchaseAction" });

@ObjectType({ simpleResolvers: true, implements: Node, description: "Lets a customer buy a resource itself on an Azure plan the partner sold it, billed to the partner." })
@Entity("purchase_permission")
export class PurchasePermission extends Node {
  @PrimaryColumn("uuid")
  override id: string;

  get nodeType(): string {
    return "PurchasePermission";
  }

  @Column("uuid", { name: "partner_id" })
  partnerId: string;

  @Column("uuid", { name: "customer_id" })
  customerId: string;

  @Column("uuid", { name: "subscription_id" })
  subscriptionId: string;

  /** The Azure plan row when a query joined it (not a column). */
  plan?: Subscription;

  @Field(() => PurchaseResource)
  @Column("text")
  resource: PurchaseResource;

  @Field(() => PurchaseAction)
  @Column("text")
  action: PurchaseAction;

  @Column("uuid", { name: "granted_by" })
  grantedById: string;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "granted_at" })
  grantedAt: Date;
}
