import type { PlanSpecs, RootSpec } from "../../graphql/planner/spec";
import type { SortOrder } from "../../graphql/relay";
import { IndirectRelationship } from "./indirect-relationship.entity";
import { indirectRelationshipFilterConditions, indirectRelationshipVisibility, LinkSide } from "./indirect-relationship.scope";
import { LINKS_NEWEST_FIRST } from "./indirect-relationship.service";
import type { IndirectRelationshipFilter } from "./relationship.inputs";

/** The caller's links on one side (provider and reseller resolve from the partner cache on these rows). */
const links = (side: LinkSide): RootSpec => ({
  kind: "connection",
  type: "IndirectRelationship",
  entity: IndirectRelationship,
  alias: "l",
  async query(_ctx, args, bind, viewer) {
    return {
      from: "indirect_relationship l",
      where: [indirectRelationshipVisibility("l", viewer, side), ...indirectRelationshipFilterConditions(args.filter as IndirectRelationshipFilter | null | undefined, bind)],
      order: LINKS_NEWEST_FIRST as SortOrder<never>,
    };
  },
});

export const indirectRelationshipPlans: PlanSpecs = {
  roots: {
    "Query.indirectResellers": links("provider"),
    "Query.indirectProviders": links("reseller"),
  },
};
