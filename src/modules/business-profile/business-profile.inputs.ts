import { Field, InputType, ObjectType } from "type-graphql";
import { MutationInput, MutationPayload } from "../../graphql/mutation";
import { BusinessProfile } from "./business-profile.entity";

@InputType()
export class LocationInput {
  @Field(() => String, { description: "At most 100 characters, e.g. Head office." })
  name: string;

  @Field(() => String, { nullable: true })
  addressLine1?: string | null;

  @Field(() => String, { nullable: true })
  city?: string | null;

  @Field(() => String, { nullable: true, description: "A code from `countryValidationRules.states` where the country has a list." })
  state?: string | null;

  @Field(() => String, { nullable: true, description: "Checked against `countryValidationRules.postalCodePattern` where the country has one." })
  postalCode?: string | null;

  @Field(() => String, { description: "ISO 3166-1 alpha-2 (GB, not UK)." })
  country: string;
}

@InputType({
  description:
    "Only the fields given change (a list given is replaced whole; null clears a field). Lists hold at most 20 entries of at most 100 characters, duplicates (ignoring case) dropped. The first update creates the profile.",
})
export class BusinessProfileUpdateInput extends MutationInput {
  @Field(() => String, { nullable: true, description: "At most 2,500 characters." })
  description?: string | null;

  @Field(() => String, { nullable: true, description: "An http(s) URL." })
  website?: string | null;

  @Field(() => [String], { nullable: true })
  industries?: string[] | null;

  @Field(() => [String], { nullable: true })
  products?: string[] | null;

  @Field(() => [String], { nullable: true })
  services?: string[] | null;

  @Field(() => [String], { nullable: true })
  targetCustomerSizes?: string[] | null;

  @Field(() => [LocationInput], { nullable: true, description: "At most 5; replaces every location." })
  locations?: LocationInput[] | null;

  @Field(() => String, { nullable: true, description: "The profile's current `etag`; a stale one changes nothing. Without it the last write wins." })
  ifMatch?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class BusinessProfileUpdatePayload extends MutationPayload {
  @Field(() => BusinessProfile, { nullable: true })
  businessProfile: BusinessProfile | null;
}
