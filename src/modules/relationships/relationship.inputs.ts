import { Field, ID, InputType, ObjectType } from "type-graphql";
import { MutationInput, MutationPayload } from "../../graphql/mutation";
import { Customer } from "../customers/customer.entity";
import { Subscription } from "../subscriptions/subscription.entity";
import { IndirectRelationship } from "./indirect-relationship.entity";
import { IndirectRelationshipStatus, RelationshipRequestStatus } from "./relationship.enums";
import { RelationshipRequest } from "./relationship-request.entity";

// ------------------------------------------------------------ relationship requests

@InputType()
export class RelationshipRequestFilter {
  @Field(() => RelationshipRequestStatus, { nullable: true })
  status?: RelationshipRequestStatus | null;
}

@InputType()
export class RelationshipRequestCreateInput extends MutationInput {
  @Field(() => Boolean, { defaultValue: false, description: "Ask the customer for delegated admin rights." })
  includeDelegatedAdmin: boolean;

  @Field(() => String, { nullable: true, description: "Only the tenant holding this domain may accept (e.g. contoso.onmicrosoft.com)." })
  customerDomain?: string | null;

  @Field(() => ID, { nullable: true, description: "A provider's joint invitation: the customer accepts this ACTIVE linked reseller too." })
  indirectResellerId?: string | null;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;
}

@InputType()
export class RelationshipRequestCancelInput extends MutationInput {
  @Field(() => ID)
  id: string;
}

@InputType()
export class RelationshipRequestAcceptInput extends MutationInput {
  @Field(() => String, { description: "The token of the invitation URL; it is the credential (no bearer token needed)." })
  invitationToken: string;

  @Field(() => ID, { description: "The accepting customer's directory tenant id (a GUID)." })
  customerTenantId: string;
}

@ObjectType({ simpleResolvers: true })
export class RelationshipRequestPayload extends MutationPayload {
  @Field(() => RelationshipRequest, { nullable: true })
  relationshipRequest: RelationshipRequest | null;
}

@ObjectType({ simpleResolvers: true })
export class RelationshipRequestCreatePayload extends RelationshipRequestPayload {}

@ObjectType({ simpleResolvers: true })
export class RelationshipRequestCancelPayload extends RelationshipRequestPayload {}

@ObjectType({ simpleResolvers: true, description: "Without a bearer token the caller may read relationshipRequest { id status } and customer { id tenantId companyName }." })
export class RelationshipRequestAcceptPayload extends RelationshipRequestPayload {
  @Field(() => Customer, { nullable: true })
  customer: Customer | null;
}

// ------------------------------------------------------------ customer relationships

@InputType()
export class RelationshipRemoveInput extends MutationInput {
  @Field(() => ID)
  customerId: string;

  @Field(() => Boolean, { defaultValue: false, description: "Suspend active license and Azure plan subscriptions in the same transaction instead of refusing." })
  suspendActiveSubscriptions: boolean;
}

@ObjectType({ simpleResolvers: true })
export class RelationshipRemovePayload extends MutationPayload {
  @Field(() => ID, { nullable: true })
  removedCustomerId: string | null;

  @Field(() => [Subscription], { description: "Subscriptions this removal suspended (empty when it failed)." })
  suspendedSubscriptions: Subscription[];
}

// ------------------------------------------------------------ indirect links

@InputType()
export class IndirectRelationshipFilter {
  @Field(() => IndirectRelationshipStatus, { nullable: true })
  status?: IndirectRelationshipStatus | null;
}

@InputType()
export class IndirectResellerInviteInput extends MutationInput {
  @Field(() => String, { description: "The reseller's MPN id (digits)." })
  resellerMpnId: string;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;
}

@InputType()
export class IndirectRelationshipIdInput extends MutationInput {
  @Field(() => ID, { description: "The IndirectRelationship id." })
  id: string;
}

@InputType()
export class IndirectProviderAuthorizeInput extends IndirectRelationshipIdInput {}

@InputType()
export class IndirectRelationshipRemoveInput extends IndirectRelationshipIdInput {}

@ObjectType({ simpleResolvers: true })
export class IndirectRelationshipPayload extends MutationPayload {
  @Field(() => IndirectRelationship, { nullable: true })
  indirectRelationship: IndirectRelationship | null;
}

@ObjectType({ simpleResolvers: true })
export class IndirectResellerInvitePayload extends IndirectRelationshipPayload {}

@ObjectType({ simpleResolvers: true })
export class IndirectProviderAuthorizePayload extends IndirectRelationshipPayload {}

@ObjectType({ simpleResolvers: true })
export class IndirectRelationshipRemovePayload extends IndirectRelationshipPayload {}
