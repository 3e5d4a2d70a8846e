import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { RequestContext } from "../../auth/context";
import { runMutation } from "../../graphql/mutation";
import { Partner } from "../partners/partner.entity";
import { Cloud } from "../partners/partner.enums";
import { BusinessProfile } from "./business-profile.entity";
import { BusinessProfileUpdateInput, BusinessProfileUpdatePayload } from "./business-profile.inputs";

@Resolver(() => BusinessProfile)
export class BusinessProfileResolver {
  @Mutation(() => BusinessProfileUpdatePayload, { nullable: true, description: "Change the partner's business profile (Referrals admins, Business profile admins); the first update creates it." })
  businessProfileUpdate(@Arg("input", () => BusinessProfileUpdateInput) input: BusinessProfileUpdateInput, @Ctx() ctx: RequestContext) {
    return runMutation<BusinessProfileUpdatePayload>(input, () => ctx.services.businessProfiles.update(ctx, input));
  }
}

/** `Partner.businessProfile` lives with the profile: the partners module knows nothing of it. */
@Resolver(() => Partner)
export class PartnerBusinessProfileResolver {
  @FieldResolver(() => BusinessProfile, {
    nullable: true,
    description: "Public marketing data: shown wherever the partner itself is visible (the viewer's own, linked partners). Null without one, and always in the US Government cloud.",
  })
  businessProfile(@Root() partner: Partner, @Ctx() ctx: RequestContext): Promise<BusinessProfile | null> | null {
    return partner.cloud === Cloud.US_GOVERNMENT ? null : ctx.services.businessProfiles.ofPartner(ctx, partner.id);
  }
}
