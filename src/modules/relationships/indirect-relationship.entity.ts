import { Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { Node } from "../../graphql/relay";
import { DateTimeScalar } from "../../graphql/scalars";
import { IndirectRelationshipStatus } from "./relationship.enums";

@ObjectType({ simpleResolvers: true, implements: Node, description: "A link between an indirect provider (distributor) and an indirect reseller." })
@Entity("indirect_relationship")
export class IndirectRelationship extends Node {
  @PrimaryColumn("uuid")
  override id: string;

  get nodeType(): string {
    return "IndirectRelationship";
  }

  @Column("uuid", { name: "provider_id" })
  providerId: string;

  @Column("uuid", { name: "reseller_id" })
  resellerId: string;

  @Field(() => IndirectRelationshipStatus)
  @Column("text")
  status: IndirectRelationshipStatus;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "invited_at" })
  invitedAt: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  @Column("timestamptz", { name: "activated_at", nullable: true })
  activatedAt: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @Column("timestamptz", { name: "removed_at", nullable: true })
  removedAt: Date | null;
}
