import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { RequestContext } from "../../auth/context";
import { runMutation } from "../../graphql/mutation";
import { ConnectionArgs, ConnectionType } from "../../graphql/relay";
import { Partner } from "../partners/partner.entity";
import { IndirectRelationship } from "./indirect-relationship.entity";
import {
  IndirectProviderAuthorizeInput,
  IndirectProviderAuthorizePayload,
  IndirectRelationshipFilter,
  IndirectRelationshipRemoveInput,
  IndirectRelationshipRemovePayload,
  IndirectResellerInviteInput,
  IndirectResellerInvitePayload,
} from "./relationship.inputs";

export const IndirectRelationshipConnection = ConnectionType(IndirectRelationship, "IndirectRelationship");

@Resolver(() => IndirectRelationship)
export class IndirectRelationshipResolver {
  @Query(() => IndirectRelationshipConnection, { nullable: true, description: "A provider's links to its resellers, newest first." })
  indirectResellers(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg("filter", () => IndirectRelationshipFilter, { nullable: true }) filter: IndirectRelationshipFilter | null,
    @Ctx() ctx: RequestContext,
  ) {
    return ctx.services.indirectRelationships.list(ctx, "provider", filter, args);
  }

  @Query(() => IndirectRelationshipConnection, { nullable: true, description: "A reseller's links to its providers, newest first." })
  indirectProviders(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg("filter", () => IndirectRelationshipFilter, { nullable: true }) filter: IndirectRelationshipFilter | null,
    @Ctx() ctx: RequestContext,
  ) {
    return ctx.services.indirectRelationships.list(ctx, "reseller", filter, args);
  }

  @Mutation(() => IndirectResellerInvitePayload, { nullable: true, description: "A provider invites a reseller by MPN id; the link is PENDING until the reseller authorizes it." })
  indirectResellerInvite(@Arg("input", () => IndirectResellerInviteInput) input: IndirectResellerInviteInput, @Ctx() ctx: RequestContext) {
    return runMutation<IndirectResellerInvitePayload>(input, () => ctx.services.indirectRelationships.invite(ctx, input));
  }

  @Mutation(() => IndirectProviderAuthorizePayload, { nullable: true, description: "The reseller's Global admin accepts a provider's invitation." })
  indirectProviderAuthorize(@Arg("input", () => IndirectProviderAuthorizeInput) input: IndirectProviderAuthorizeInput, @Ctx() ctx: RequestContext) {
    return runMutation<IndirectProviderAuthorizePayload>(input, () => ctx.services.indirectRelationships.authorize(ctx, input));
  }

  @Mutation(() => IndirectRelationshipRemovePayload, { nullable: true, description: "The provider ends a link (or withdraws a pending invitation); customer relationships stay." })
  indirectRelationshipRemove(@Arg("input", () => IndirectRelationshipRemoveInput) input: IndirectRelationshipRemoveInput, @Ctx() ctx: RequestContext) {
    return runMutation<IndirectRelationshipRemovePayload>(input, () => ctx.services.indirectRelationships.remove(ctx, input));
  }

  @FieldResolver(() => Partner)
  async provider(@Root() link: IndirectRelationship, @Ctx() ctx: RequestContext) {
    return ctx.services.partners.byId(ctx, link.providerId);
  }

  @FieldResolver(() => Partner)
  async reseller(@Root() link: IndirectRelationship, @Ctx() ctx: RequestContext) {
    return ctx.services.partners.byId(ctx, link.resellerId);
  }
}
