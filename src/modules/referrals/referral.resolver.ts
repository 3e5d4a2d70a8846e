import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { RequestContext } from "../../auth/context";
import { runMutation } from "../../graphql/mutation";
import { ConnectionArgs, ConnectionType } from "../../graphql/relay";
import { DateTimeScalar } from "../../graphql/scalars";
import { Partner, PartnerUser } from "../partners/partner.entity";
import { ReferralDirection, ReferralStatus, ReferralSubstatus } from "./referral.enums";
import { Referral } from "./referral.entity";
import {
  ReferralAcceptInput,
  ReferralAcceptPayload,
  ReferralAssignInput,
  ReferralAssignPayload,
  ReferralCloseInput,
  ReferralClosePayload,
  ReferralCreateInput,
  ReferralCreatePayload,
  ReferralDeclineInput,
  ReferralDeclinePayload,
  ReferralFilter,
  ReferralOrder,
} from "./referral.inputs";

export const ReferralConnection = ConnectionType(Referral, "Referral");

@Resolver(() => Referral)
export class ReferralResolver {
  @Query(() => ReferralConnection, {
    nullable: true,
    description: "Referrals the caller's partner sent or received (Referrals users: those assigned to them), newest first unless ordered.",
  })
  referrals(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg("filter", () => ReferralFilter, { nullable: true }) filter: ReferralFilter | null,
    @Arg("orderBy", () => ReferralOrder, { nullable: true }) orderBy: ReferralOrder | null,
    @Ctx() ctx: RequestContext,
  ) {
    return ctx.services.referrals.list(ctx, filter, orderBy, args);
  }

  @Mutation(() => ReferralCreatePayload, { nullable: true, description: "Send a lead to another partner (by MPN id) of the caller's cloud and region." })
  referralCreate(@Arg("input", () => ReferralCreateInput) input: ReferralCreateInput, @Ctx() ctx: RequestContext) {
    return runMutation<ReferralCreatePayload>(input, () => ctx.services.referrals.create(ctx, input));
  }

  @Mutation(() => ReferralAcceptPayload, { nullable: true, description: "The receiver takes a NEW referral on: ACTIVE/ACCEPTED." })
  referralAccept(@Arg("input", () => ReferralAcceptInput) input: ReferralAcceptInput, @Ctx() ctx: RequestContext) {
    return runMutation<ReferralAcceptPayload>(input, () => ctx.services.referrals.accept(ctx, input));
  }

  @Mutation(() => ReferralDeclinePayload, { nullable: true, description: "The receiver turns a NEW referral down: CLOSED/DECLINED (reason required)." })
  referralDecline(@Arg("input", () => ReferralDeclineInput) input: ReferralDeclineInput, @Ctx() ctx: RequestContext) {
    return runMutation<ReferralDeclinePayload>(input, () => ctx.services.referrals.decline(ctx, input));
  }

  @Mutation(() => ReferralClosePayload, { nullable: true, description: "The receiver ends an ACTIVE referral: CLOSED/WON or CLOSED/LOST." })
  referralClose(@Arg("input", () => ReferralCloseInput) input: ReferralCloseInput, @Ctx() ctx: RequestContext) {
    return runMutation<ReferralClosePayload>(input, () => ctx.services.referrals.close(ctx, input));
  }

  @Mutation(() => ReferralAssignPayload, { nullable: true, description: "Give the caller's side of a referral to a Referrals user of its partner; userId: null unassigns." })
  referralAssign(@Arg("input", () => ReferralAssignInput) input: ReferralAssignInput, @Ctx() ctx: RequestContext) {
    return runMutation<ReferralAssignPayload>(input, () => ctx.services.referrals.assign(ctx, input));
  }

  @FieldResolver(() => ReferralDirection, { description: "INCOMING for the receiver, OUTGOING for the sender." })
  direction(@Root() referral: Referral, @Ctx() ctx: RequestContext) {
    return ctx.services.referrals.direction(ctx, referral);
  }

  @FieldResolver(() => ReferralStatus, { description: "CLOSED once a NEW referral is past expiresAt." })
  status(@Root() referral: Referral, @Ctx() ctx: RequestContext) {
    return ctx.services.referrals.status(referral);
  }

  @FieldResolver(() => ReferralSubstatus, { description: "NEW is PENDING for the sender and RECEIVED for the receiver; EXPIRED once past expiresAt unanswered." })
  substatus(@Root() referral: Referral, @Ctx() ctx: RequestContext) {
    return ctx.services.referrals.substatus(ctx, referral);
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true, description: "When it was declined, won, lost or expired." })
  closedAt(@Root() referral: Referral, @Ctx() ctx: RequestContext) {
    return ctx.services.referrals.closedAt(referral);
  }

  @FieldResolver(() => Partner)
  fromPartner(@Root() referral: Referral, @Ctx() ctx: RequestContext) {
    return ctx.services.partners.byId(ctx, referral.fromPartnerId);
  }

  @FieldResolver(() => Partner)
  toPartner(@Root() referral: Referral, @Ctx() ctx: RequestContext) {
    return ctx.services.partners.byId(ctx, referral.toPartnerId);
  }

  @FieldResolver(() => PartnerUser, { nullable: true, description: "The Referrals user of the caller's partner working it (each partner assigns its own side)." })
  assignedTo(@Root() referral: Referral, @Ctx() ctx: RequestContext) {
    return ctx.services.referrals.assignedTo(ctx, referral);
  }
}
