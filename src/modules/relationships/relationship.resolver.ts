import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { RequestContext } from "../../auth/context";
import { runMutation } from "../../graphql/mutation";
import { ConnectionArgs, ConnectionType } from "../../graphql/relay";
import { Customer } from "../customers/customer.entity";
import { Partner } from "../partners/partner.entity";
import {
  RelationshipRemoveInput,
  RelationshipRemovePayload,
  RelationshipRequestAcceptInput,
  RelationshipRequestAcceptPayload,
  RelationshipRequestCancelInput,
  RelationshipRequestCancelPayload,
  RelationshipRequestCreateInput,
  RelationshipRequestCreatePayload,
  RelationshipRequestFilter,
} from "./relationship.inputs";
import { RelationshipRequest } from "./relationship-request.entity";

export const RelationshipRequestConnection = ConnectionType(RelationshipRequest, "RelationshipRequest");

@Resolver(() => RelationshipRequest)
export class RelationshipResolver {
  @Query(() => RelationshipRequestConnection, { nullable: true, description: "The caller's partner's invitations, newest first." })
  relationshipRequests(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg("filter", () => RelationshipRequestFilter, { nullable: true }) filter: RelationshipRequestFilter | null,
    @Ctx() ctx: RequestContext,
  ) {
    return ctx.services.relationships.list(ctx, filter, args);
  }

  @Mutation(() => RelationshipRequestCreatePayload, { nullable: true, description: "Invite a customer; the payload's invitationUrl is what the customer's admin opens." })
  relationshipRequestCreate(@Arg("input", () => RelationshipRequestCreateInput) input: RelationshipRequestCreateInput, @Ctx() ctx: RequestContext) {
    return runMutation<RelationshipRequestCreatePayload>(input, () => ctx.services.relationships.createRequest(ctx, input));
  }

  @Mutation(() => RelationshipRequestCancelPayload, { nullable: true })
  relationshipRequestCancel(@Arg("input", () => RelationshipRequestCancelInput) input: RelationshipRequestCancelInput, @Ctx() ctx: RequestContext) {
    return runMutation<RelationshipRequestCancelPayload>(input, () => ctx.services.relationships.cancelRequest(ctx, input));
  }

  @Mutation(() => RelationshipRequestAcceptPayload, { nullable: true, description: "The customer's side: needs no bearer token, the invitation token is the credential." })
  relationshipRequestAccept(@Arg("input", () => RelationshipRequestAcceptInput) input: RelationshipRequestAcceptInput, @Ctx() ctx: RequestContext) {
    return runMutation<RelationshipRequestAcceptPayload>(input, () => ctx.services.relationships.acceptRequest(ctx, input));
  }

  @Mutation(() => RelationshipRemovePayload, { nullable: true, description: "End the relationship with a customer (Global admin). Restore it with a new request the customer accepts." })
  relationshipRemove(@Arg("input", () => RelationshipRemoveInput) input: RelationshipRemoveInput, @Ctx() ctx: RequestContext) {
    return runMutation<RelationshipRemovePayload>(input, () => ctx.services.relationships.remove(ctx, input), { suspendedSubscriptions: [] });
  }

  @FieldResolver(() => String, { nullable: true, description: "<PUBLIC_BASE_URL>/invitations/accept?token=…, while the request is PENDING." })
  invitationUrl(@Root() request: RelationshipRequest, @Ctx() ctx: RequestContext) {
    return ctx.services.relationships.invitationUrl(ctx, request);
  }

  @FieldResolver(() => Partner, { nullable: true, description: "The reseller of a provider's joint invitation." })
  indirectReseller(@Root() request: RelationshipRequest, @Ctx() ctx: RequestContext) {
    return request.indirectResellerId ? ctx.services.partners.byId(ctx, request.indirectResellerId) : null;
  }

  @FieldResolver(() => Customer, { nullable: true, description: "The customer that accepted, while the caller serves it." })
  customer(@Root() request: RelationshipRequest, @Ctx() ctx: RequestContext) {
    return request.customerId ? ctx.services.customers.byId(ctx, request.customerId) : null;
  }
}
