import { Field, ID, InputType, ObjectType } from "type-graphql";
import { MutationInput, MutationPayload } from "../../graphql/mutation";
import { DateTimeScalar } from "../../graphql/scalars";
import { UserErrorCode } from "../../graphql/errors";
import { RelationshipStatus } from "../relationships/relationship.enums";
import { CustomerOrderField, OrderDirection } from "./customer.enums";
import { Customer } from "./customer.entity";

@InputType()
export class AddressInput {
  @Field(() => String)
  addressLine1: string;

  @Field(() => String, { nullable: true })
  addressLine2?: string | null;

  @Field(() => String, { nullable: true })
  city?: string | null;

  @Field(() => String, { nullable: true, description: "A code from `countryValidationRules.states` where the country has a list." })
  state?: string | null;

  @Field(() => String, { nullable: true })
  postalCode?: string | null;

  @Field(() => String, { description: "ISO 3166-1 alpha-2 (GB, not UK)." })
  country: string;
}

@InputType()
export class BillingProfileInput {
  @Field(() => String)
  companyName: string;

  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => String)
  email: string;

  @Field(() => String, { nullable: true, description: "Required in some countries (see `countryValidationRules`)." })
  phoneNumber?: string | null;

  @Field(() => String, { description: "One of the country's supported cultures, e.g. en-US." })
  culture: string;

  @Field(() => String, { description: "Two-letter language code, e.g. en." })
  language: string;

  @Field(() => AddressInput)
  address: AddressInput;
}

@InputType({ description: "Only the fields given change; `address`, when given, is replaced whole." })
export class BillingProfilePatch {
  @Field(() => String, { nullable: true })
  companyName?: string | null;

  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => String, { nullable: true })
  phoneNumber?: string | null;

  @Field(() => String, { nullable: true })
  culture?: string | null;

  @Field(() => String, { nullable: true })
  language?: string | null;

  @Field(() => AddressInput, { nullable: true })
  address?: AddressInput | null;
}

@InputType()
export class CompanyProfileInput {
  @Field(() => String, { description: "Letters and digits (a hyphen inside is fine); the default domain becomes <prefix>.onmicrosoft.com." })
  domainPrefix: string;

  @Field(() => String, { nullable: true, description: "Required in some countries, refused in the others (see `countryValidationRules`)." })
  organizationRegistrationNumber?: string | null;
}

@InputType()
export class CustomerCreateInput extends MutationInput {
  @Field(() => CompanyProfileInput)
  companyProfile: CompanyProfileInput;

  @Field(() => BillingProfileInput)
  billingProfile: BillingProfileInput;

  @Field(() => ID, { nullable: true, description: "Providers only: create the customer for this linked indirect reseller." })
  indirectResellerId?: string | null;

  @Field(() => String, { nullable: true, description: "The same key within 24 hours returns the first result and creates nothing new." })
  idempotencyKey?: string | null;
}

@ObjectType({ simpleResolvers: true, description: "The customer's first administrator; the password is shown this once and never stored in clear." })
export class InitialAdmin {
  @Field(() => String)
  userName: string;

  @Field(() => String)
  temporaryPassword: string;
}

@ObjectType({ simpleResolvers: true })
export class CustomerCreatePayload extends MutationPayload {
  @Field(() => Customer, { nullable: true })
  customer: Customer | null;

  @Field(() => InitialAdmin, { nullable: true, description: "Only in the response that created the customer (null when an idempotency key replays it)." })
  initialAdmin: InitialAdmin | null;
}

@InputType()
export class CustomerBillingProfileUpdateInput extends MutationInput {
  @Field(() => ID)
  customerId: string;

  @Field(() => String, { nullable: true, description: "The customer's current `etag`; a stale one changes nothing. Without it the last write wins." })
  ifMatch?: string | null;

  @Field(() => BillingProfilePatch)
  billingProfile: BillingProfilePatch;
}

@ObjectType({ simpleResolvers: true })
export class CustomerBillingProfileUpdatePayload extends MutationPayload {
  @Field(() => Customer, { nullable: true })
  customer: Customer | null;
}

@InputType()
export class CustomerFilter {
  @Field(() => String, { nullable: true, description: "Case-insensitive substring of the company name or of any domain." })
  search?: string | null;

  @Field(() => String, { nullable: true })
  companyNamePrefix?: string | null;

  @Field(() => String, { nullable: true })
  domainPrefix?: string | null;

  @Field(() => RelationshipStatus, { nullable: true, description: "ACTIVE (the default) lists served customers; REMOVED lists those the partner used to serve." })
  relationshipStatus?: RelationshipStatus | null;

  @Field(() => ID, { nullable: true, description: "Providers: customers served through this reseller." })
  indirectResellerId?: string | null;

  @Field(() => ID, { nullable: true, description: "Resellers: customers served through this provider." })
  indirectProviderId?: string | null;

  @Field(() => Boolean, { nullable: true })
  hasDelegatedAdmin?: boolean | null;

  @Field(() => String, { nullable: true, description: "Billing address country (ISO 3166-1 alpha-2)." })
  country?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  createdAfter?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  createdBefore?: Date | null;
}

@InputType()
export class CustomerOrder {
  @Field(() => CustomerOrderField)
  field: CustomerOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC })
  direction: OrderDirection;
}

@ObjectType({ simpleResolvers: true })
export class DomainAvailability {
  @Field(() => String)
  domain: string;

  @Field(() => Boolean)
  available: boolean;

  @Field(() => UserErrorCode, { nullable: true, description: "Why not: INVALID_DOMAIN or DOMAIN_TAKEN." })
  reason: UserErrorCode | null;
}
