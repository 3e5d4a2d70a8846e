import { Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { DateTimeScalar } from "../../graphql/scalars";
import type { BillingProfileValues } from "../customers/customer.validation";
import { EstablishedVia, RelationshipStatus, RelationshipType } from "./relationship.enums";

/**
 * A partner's relationship with a customer tenant, and what that partner keeps
 * of the customer for itself: its billing profile (invoice company name,
 * contacts, culture, language, address), with the version behind the
 * customer's etag and the updatedAt the partner sees. A new relationship starts
 * from a copy of the tenant's registration data; after that each partner's
 * profile is its own (several commercial partners may serve one tenant).
 */
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

  /** This partner's billing profile of the customer (not a GraphQL field here: `Customer.billingProfile` shows it). */
  @Column("jsonb", { name: "billing_profile" })
  billingProfile: BillingProfileValues;

  /** Bumped by every billing profile update of this relationship: `Customer.etag`. */
  @Column("integer", { default: 1 })
  version: number;

  /** `Customer.updatedAt` as this partner sees it. */
  @Column("timestamptz", { name: "updated_at", default: () => "now()" })
  updatedAt: Date;
}
