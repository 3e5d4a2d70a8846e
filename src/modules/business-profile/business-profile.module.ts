import { defineModule } from "../module";
import { BusinessProfile } from "./business-profile.entity";
import { BusinessProfileResolver, PartnerBusinessProfileResolver } from "./business-profile.resolver";
import { BusinessProfileService } from "./business-profile.service";

declare module "../../services" {
  interface Services {
    businessProfiles: BusinessProfileService;
  }
}

export const businessProfilesModule = defineModule({
  name: "business-profile",
  entities: [BusinessProfile],
  resolvers: [BusinessProfileResolver, PartnerBusinessProfileResolver],
  services: ({ dataSource, caches }, { partners, audit }) => ({
    businessProfiles: new BusinessProfileService(dataSource, partners, audit, caches),
  }),
  fieldRules: {
    Mutation: { businessProfileUpdate: "updateBusinessProfile" },
    Partner: { businessProfile: "readBusinessProfile" },
  },
});
