import { defineModule } from "../module";
import { Partner, PartnerUser } from "./partner.entity";
import { ViewerResolver } from "./partner.resolver";
import { PartnerService } from "./partner.service";

declare module "../../services" {
  interface Services {
    partners: PartnerService;
  }
}

export const partnersModule = defineModule({
  name: "partners",
  entities: [Partner, PartnerUser],
  resolvers: [ViewerResolver],
  services: ({ dataSource, caches }) => ({ partners: new PartnerService(dataSource, caches) }),
  fieldRules: { Query: { viewer: "authenticated" } },
  nodes: {
    Partner: { read: "authenticated", fetch: (ctx, id) => ctx.services.partners.visibleById(ctx, id) },
    PartnerUser: { read: "authenticated", fetch: (ctx, id) => ctx.services.partners.visibleUser(ctx, id) },
  },
});
