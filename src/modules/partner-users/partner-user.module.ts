import { defineModule } from "../module";
import { PartnerUserResolver } from "./partner-user.resolver";
import { PartnerUserService } from "./partner-user.service";

declare module "../../services" {
  interface Services {
    partnerUsers: PartnerUserService;
  }
}

/** The partner's user directory and role assignment; the PartnerUser entity itself belongs to the partners module. */
export const partnerUsersModule = defineModule({
  name: "partner-users",
  resolvers: [PartnerUserResolver],
  services: ({ dataSource, caches }, { audit }) => ({ partnerUsers: new PartnerUserService(dataSource, caches, audit) }),
  fieldRules: { Query: { partnerUsers: "readPartnerUsers" }, Mutation: { partnerUserRolesSet: "setUserRoles" } },
});
