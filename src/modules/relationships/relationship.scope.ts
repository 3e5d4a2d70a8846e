import type { BindValue } from "../../graphql/relay";
import { RelationshipRequestStatus } from "./relationship.enums";
import type { RelationshipRequestFilter } from "./relationship.inputs";

/**
 * The one rule of relationship-request visibility, as SQL over a request
 * alias: the caller's partner's own invitations. The loader path
 * (`RelationshipService.visible`) and the read planner both use it.
 */
export function relationshipRequestVisibility(rr: string, viewer: string): string {
  return `${rr}.partner_id = ${viewer}`;
}

/**
 * The conditions of `relationshipRequests(filter:)` over `rr`, shared by both
 * read paths. EXPIRED is never stored: PENDING and EXPIRED are told apart by
 * the database's clock (`now()`), as `RelationshipRequest.status` tells them
 * apart by the server's.
 */
export function relationshipRequestFilterConditions(filter: RelationshipRequestFilter | null | undefined, bind: BindValue): string[] {
  switch (filter?.status) {
    case RelationshipRequestStatus.PENDING:
      return ["rr.status = 'PENDING' AND rr.expires_at > now()"];
    case RelationshipRequestStatus.EXPIRED:
      return ["rr.status = 'PENDING' AND rr.expires_at <= now()"];
    case RelationshipRequestStatus.ACCEPTED:
    case RelationshipRequestStatus.CANCELLED:
      return [`rr.status = ${bind(filter.status)}`];
    default:
      return [];
  }
}
