import { Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { DateTimeScalar } from "../../graphql/scalars";

@ObjectType({ simpleResolvers: true, description: "A place the partner works from, as its business profile lists it." })
export class Location {
  @Field(() => String)
  name: string;

  @Field(() => String, { nullable: true })
  addressLine1: string | null;

  @Field(() => String, { nullable: true })
  city: string | null;

  @Field(() => String, { nullable: true })
  state: string | null;

  @Field(() => String, { nullable: true })
  postalCode: string | null;

  @Field(() => String, { description: "ISO 3166-1 alpha-2." })
  country: string;
}

/**
 * A partner's public marketing profile (what referrals are matched on). One
 * row per partner; `version` is the etag and moves on every update.
 */
@ObjectType({ simpleResolvers: true, description: "The partner's public marketing profile: what it offers, to whom, and where." })
@Entity("business_profile")
export class BusinessProfile {
  @PrimaryColumn("uuid", { name: "partner_id" })
  partnerId: string;

  @Field(() => String, { nullable: true, description: "At most 2,500 characters." })
  @Column("text", { nullable: true })
  description: string | null;

  @Field(() => String, { nullable: true, description: "An http(s) URL." })
  @Column("text", { nullable: true })
  website: string | null;

  @Field(() => [String])
  @Column("text", { array: true })
  industries: string[];

  @Field(() => [String])
  @Column("text", { array: true })
  products: string[];

  @Field(() => [String])
  @Column("text", { array: true })
  services: string[];

  @Field(() => [String], { description: "Free text such as SMALL, MEDIUM, ENTERPRISE." })
  @Column("text", { array: true, name: "target_customer_sizes" })
  targetCustomerSizes: string[];

  @Field(() => [Location], { description: "At most 5." })
  @Column("jsonb")
  locations: Location[];

  @Column("integer")
  version: number;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "updated_at" })
  updatedAt: Date;

  @Field(() => String, { description: "Changes on every update; pass it as `ifMatch` to update only what you have seen." })
  get etag(): string {
    return `W/"${this.version}"`;
  }
}
