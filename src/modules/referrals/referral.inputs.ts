import { Field, ID, InputType, ObjectType } from "type-graphql";
import { MutationInput, MutationPayload } from "../../graphql/mutation";
import { DateTimeScalar } from "../../graphql/scalars";
import { OrderDirection } from "../customers/customer.enums";
import { MoneyInput } from "./money";
import { ReferralDirection, ReferralOrderField, ReferralOutcome, ReferralStatus, ReferralSubstatus } from "./referral.enums";
import { Referral } from "./referral.entity";

@InputType({ description: "The customer's contact person." })
export class ContactInput {
  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => String)
  email: string;

  @Field(() => String, { nullable: true })
  phoneNumber?: string | null;
}

@InputType()
export class ReferralFilter {
  @Field(() => ReferralStatus, { nullable: true, description: "CLOSED includes the expired ones; NEW excludes them." })
  status?: ReferralStatus | null;

  @Field(() => ReferralSubstatus, { nullable: true, description: "As the caller sees it: PENDING = NEW outgoing, RECEIVED = NEW incoming." })
  substatus?: ReferralSubstatus | null;

  @Field(() => ReferralDirection, { nullable: true })
  direction?: ReferralDirection | null;

  @Field(() => Boolean, { nullable: true, description: "Only those assigned to the caller (true) or not assigned to the caller (false)." })
  assignedToMe?: boolean | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "Created strictly after this time." })
  createdAfter?: Date | null;
}

@InputType()
export class ReferralOrder {
  @Field(() => ReferralOrderField)
  field: ReferralOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC })
  direction: OrderDirection;
}

@InputType()
export class ReferralCreateInput extends MutationInput {
  @Field(() => String, { description: "The receiving partner's MPN id (digits), in the caller's cloud and region." })
  toPartnerMpnId: string;

  @Field(() => String)
  name: string;

  @Field(() => String)
  customerName: string;

  @Field(() => ContactInput)
  customerContact: ContactInput;

  @Field(() => MoneyInput, { nullable: true })
  dealValue?: MoneyInput | null;

  @Field(() => String, { nullable: true })
  notes?: string | null;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;
}

@InputType()
export class ReferralAcceptInput extends MutationInput {
  @Field(() => ID)
  id: string;

  @Field(() => String)
  dealName: string;

  @Field(() => MoneyInput, { description: "The receiver's estimate of the deal." })
  dealValue: MoneyInput;

  @Field(() => DateTimeScalar)
  expectedCloseDate: Date;

  @Field(() => String, { nullable: true })
  notes?: string | null;
}

@InputType()
export class ReferralDeclineInput extends MutationInput {
  @Field(() => ID)
  id: string;

  @Field(() => String, { description: "Required." })
  reason: string;

  @Field(() => String, { nullable: true })
  notes?: string | null;
}

@InputType()
export class ReferralCloseInput extends MutationInput {
  @Field(() => ID)
  id: string;

  @Field(() => ReferralOutcome)
  outcome: ReferralOutcome;

  @Field(() => String, { nullable: true })
  reason?: string | null;
}

@InputType()
export class ReferralAssignInput extends MutationInput {
  @Field(() => ID)
  id: string;

  @Field(() => ID, { nullable: true, description: "A PartnerUser of the caller's partner holding REFERRALS_USER; null unassigns." })
  userId?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class ReferralPayload extends MutationPayload {
  @Field(() => Referral, { nullable: true })
  referral: Referral | null;
}

@ObjectType({ simpleResolvers: true })
export class ReferralCreatePayload extends ReferralPayload {}

@ObjectType({ simpleResolvers: true })
export class ReferralAcceptPayload extends ReferralPayload {}

@ObjectType({ simpleResolvers: true })
export class ReferralDeclinePayload extends ReferralPayload {}

@ObjectType({ simpleResolvers: true })
export class ReferralClosePayload extends ReferralPayload {}

@ObjectType({ simpleResolvers: true })
export class ReferralAssignPayload extends ReferralPayload {}
