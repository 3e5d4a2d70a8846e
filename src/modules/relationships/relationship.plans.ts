import type { PlanSpecs } from "../../graphql/planner/spec";
import type { SortOrder } from "../../graphql/relay";
import { RelationshipRequest } from "./relationship-request.entity";
import type { RelationshipRequestFilter } from "./relationship.inputs";
import { relationshipRequestFilterConditions, relationshipRequestVisibility } from "./relationship.scope";
import { REQUESTS_NEWEST_FIRST } from "./relationship.service";

export const relationshipPlans: PlanSpecs = {
  roots: {
    // the rows carry every column: `status` (EXPIRED from expiresAt), invitationUrl, indirectReseller and customer resolve on them as before
    "Query.relationshipRequests": {
      kind: "connection",
      type: "RelationshipRequest",
      entity: RelationshipRequest,
      alias: "rr",
      async query(_ctx, args, bind, viewer) {
        return {
          from: "relationship_request rr",
          where: [relationshipRequestVisibility("rr", viewer), ...relationshipRequestFilterConditions(args.filter as RelationshipRequestFilter | null | undefined, bind)],
          order: REQUESTS_NEWEST_FIRST as SortOrder<never>,
        };
      },
    },
  },
};
