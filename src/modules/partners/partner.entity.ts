import { Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { PartnerRole } from "../../auth/roles";
import { Node } from "../../graphql/relay";
import { DateTimeScalar } from "../../graphql/scalars";
import { Cloud, PartnerType } from "./partner.enums";

@ObjectType({ simpleResolvers: true, implements: Node, description: "A reseller organisation (CSP partner)." })
@Entity("partner")
export class Partner extends Node {
  @PrimaryColumn("uuid")
  override id: string;

  get nodeType(): string {
    return "Partner";
  }

  @Field(() => String)
  @Column("text")
  name: string;

  @Field(() => String, { description: "Microsoft Partner Network id: a string of digits." })
  @Column("text", { name: "mpn_id" })
  mpnId: string;

  @Field(() => PartnerType)
  @Column("text")
  type: PartnerType;

  @Field(() => Cloud)
  @Column("text")
  cloud: Cloud;

  @Field(() => String, { description: "ISO 3166-1 alpha-2." })
  @Column("char", { length: 2 })
  country: string;

  @Field(() => String, { description: "CSP region derived from the country, e.g. NORTH_AMERICA, EUROPE." })
  @Column("text")
  region: string;

  @Field(() => Boolean, { description: "Whether the partner agreement is signed." })
  @Column("boolean", { name: "mpa_signed" })
  mpaSigned: boolean;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "created_at" })
  createdAt: Date;
}

@ObjectType({ simpleResolvers: true, implements: Node, description: "A user of a partner, holding one or more roles." })
@Entity("partner_user")
export class PartnerUser extends Node {
  @PrimaryColumn("uuid")
  override id: string;

  get nodeType(): string {
    return "PartnerUser";
  }

  @Column("uuid", { name: "partner_id" })
  partnerId: string;

  @Field(() => String)
  @Column("text")
  email: string;

  @Field(() => String)
  @Column("text", { name: "display_name" })
  displayName: string;

  @Field(() => [PartnerRole], { description: "Stored roles; on `viewer.user`, the roles in effect for the caller's token." })
  @Column("text", { array: true })
  roles: PartnerRole[];

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "created_at" })
  createdAt: Date;

  /** When `partnerUserRolesSet` last changed `roles` (null: never); tokens issued before keep only stored roles. */
  @Column("timestamptz", { name: "roles_changed_at", nullable: true })
  rolesChangedAt: Date | null;
}
