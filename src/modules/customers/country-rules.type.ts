import { Field, ObjectType } from "type-graphql";

@ObjectType({ simpleResolvers: true, description: "What customerCreate checks for one country, for clients to pre-check." })
export class CountryValidationRules {
  @Field(() => String)
  country: string;

  @Field(() => String)
  region: string;

  @Field(() => String)
  defaultCulture: string;

  @Field(() => [String])
  supportedCultures: string[];

  @Field(() => Boolean)
  isCityRequired: boolean;

  @Field(() => Boolean)
  isStateRequired: boolean;

  @Field(() => [String], { description: "State codes where the country has a list (US, CA, MX); empty elsewhere." })
  states: string[];

  @Field(() => Boolean)
  isPostalCodeRequired: boolean;

  @Field(() => String, { nullable: true, description: "JavaScript-compatible regular expression source." })
  postalCodePattern: string | null;

  @Field(() => Boolean)
  isRegistrationNumberRequired: boolean;

  @Field(() => String, { nullable: true })
  registrationNumberPattern: string | null;

  @Field(() => Boolean)
  isPhoneRequired: boolean;
}
