import { defineModule } from "../module";
import { indirectRelationshipPlans } from "./indirect-relationship.plans";
import { IndirectRelationship } from "./indirect-relationship.entity";
import { IndirectRelationshipResolver } from "./indirect-relationship.resolver";
import { IndirectRelationshipService } from "./indirect-relationship.service";

declare module "../../services" {
  interface Services {
    indirectRelationships: IndirectRelationshipService;
  }
}

/** Provider ↔ reseller links; before customers, whose creation for a linked reseller checks the link. */
export const indirectRelationshipsModule = defineModule({
  name: "indirect-relationships",
  plans: indirectRelationshipPlans,
  entities: [IndirectRelationship],
  resolvers: [IndirectRelationshipResolver],
  services: ({ dataSource }, { partners, audit, idempotency }) => ({
    indirectRelationships: new IndirectRelationshipService(dataSource, partners, audit, idempotency),
  }),
  fieldRules: {
    Query: { indirectResellers: "readIndirectRelationships", indirectProviders: "readIndirectRelationships" },
    Mutation: {
      indirectResellerInvite: "manageIndirectResellers",
      indirectRelationshipRemove: "manageIndirectResellers",
      indirectProviderAuthorize: "authorizeIndirectProvider",
    },
  },
  nodes: { IndirectRelationship: { read: "readIndirectRelationships", fetch: (ctx, id) => ctx.services.indirectRelationships.byId(ctx, id) } },
});
