import { Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { PartnerRole } from "../../auth/roles";
import { encodeGlobalId, Node } from "../../graphql/relay";
import { DateTimeScalar, JSONScalar } from "../../graphql/scalars";

@ObjectType({ simpleResolvers: true, description: "Who made a change, with the roles held at the time." })
export class AuditActor {
  @Field(() => String, { nullable: true, description: "Global id of the PartnerUser; null when a customer's admin acted (accepting an invitation) or another partner did (a referral's other side: its users stay private, email empty)." })
  userId: string | null;

  @Field(() => String)
  email: string;

  @Field(() => [PartnerRole])
  roles: PartnerRole[];
}

@ObjectType({ simpleResolvers: true, implements: Node, description: "One successful change, written in the same transaction as the change." })
@Entity("audit_record")
export class AuditRecord extends Node {
  @PrimaryColumn("uuid")
  override id: string;

  get nodeType(): string {
    return "AuditRecord";
  }

  @Column("uuid", { name: "partner_id" })
  partnerId: string;

  @Column("uuid", { name: "customer_id", nullable: true })
  customerId: string | null;

  @Field(() => String, { description: "snake_case, e.g. add_customer." })
  @Column("text", { name: "operation_type" })
  operationType: string;

  @Field(() => String, { description: "snake_case, e.g. customer." })
  @Column("text", { name: "resource_type" })
  resourceType: string;

  /** null when the customer's admin acted (accepting an invitation). */
  @Column("uuid", { name: "actor_user_id", nullable: true })
  actorUserId: string | null;

  @Column("text", { name: "actor_email" })
  actorEmail: string;

  @Column("text", { name: "actor_roles", array: true })
  actorRoles: PartnerRole[];

  @Field(() => JSONScalar, { nullable: true })
  @Column("jsonb", { name: "old_value", nullable: true })
  oldValue: unknown;

  @Field(() => JSONScalar, { nullable: true })
  @Column("jsonb", { name: "new_value", nullable: true })
  newValue: unknown;

  @Field(() => DateTimeScalar)
  @Column("timestamptz")
  at: Date;

  @Field(() => AuditActor)
  get actor(): AuditActor {
    return { userId: this.actorUserId ? encodeGlobalId("PartnerUser", this.actorUserId) : null, email: this.actorEmail, roles: this.actorRoles };
  }
}
