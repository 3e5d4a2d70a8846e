import { Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { DateTimeScalar } from "../../graphql/scalars";
import { EstablishedVia, RelationshipStatus, RelationshipType } from "./relationship.enums";

@ObjectType({ simpleResolvers: true, description: "The viewer's partner's relationship with a customer." })
@Entity("customer_relationship")
export class CustomerRelationship {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid", { name: "partner_id" })
  partnerId: string;

  @Column("uuid", { name: "customer_id" })
  customerId: string;

  @Field(() => RelationshipStatus)
  @Column("text")
  status: RelationshipStatus;

  @Field(() => RelationshipType)
  @Column("text")
  type: RelationshipType;

  @Field(() => EstablishedVia)
  @Column("text", { name: "established_via" })
  establishedVia: EstablishedVia;

  @Field(() => Boolean, { description: "Whether the partner holds delegated admin rights in the customer's tenant." })
  @Column("boolean", { name: "delegated_admin" })
  delegatedAdmin: boolean;

  @Column("uuid", { name: "indirect_reseller_id", nullable: true })
  indirectResellerId: string | null;

  @Column("uuid", { name: "indirect_provider_id", nullable: true })
  indirectProviderId: string | null;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "established_at" })
  establishedAt: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  @Column("timestamptz", { name: "removed_at", nullable: true })
  removedAt: Date | null;
}
