import { defineModule } from "../module";
import { referralPlans } from "./referral.plans";
import { Referral } from "./referral.entity";
import { ReferralResolver } from "./referral.resolver";
import { ReferralService } from "./referral.service";

declare module "../../services" {
  interface Services {
    referrals: ReferralService;
  }
}

/**
 * Referrals: leads shared by two partners. Reading and answering needs
 * readAllReferrals (GA, RA: every referral of the partner) or
 * readAssignedReferrals (RU: those assigned to the user), which the service
 * decides in one place (`ReferralService.access`, FORBIDDEN otherwise), so those
 * coordinates are "authenticated" here; sending and assigning need readAllReferrals.
 */
export const referralsModule = defineModule({
  name: "referrals",
  plans: referralPlans,
  entities: [Referral],
  resolvers: [ReferralResolver],
  // registered after the business profile module: a partner without a profile cannot receive referrals (NO_BUSINESS_PROFILE)
  services: ({ dataSource }, { partners, audit, idempotency, businessProfiles }) => ({
    referrals: new ReferralService(dataSource, partners, audit, idempotency, async (ctx, partnerId) => (await businessProfiles.ofPartner(ctx, partnerId)) !== null),
  }),
  fieldRules: {
    Query: { referrals: "authenticated" },
    Mutation: {
      referralCreate: "readAllReferrals",
      referralAccept: "authenticated",
      referralDecline: "authenticated",
      referralClose: "authenticated",
      referralAssign: "readAllReferrals",
    },
  },
  nodes: { Referral: { read: "authenticated", fetch: (ctx, id) => ctx.services.referrals.byId(ctx, id) } },
});
