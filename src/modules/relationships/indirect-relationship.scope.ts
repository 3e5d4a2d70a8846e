import type { BindValue } from "../../graphql/relay";
import type { IndirectRelationshipFilter } from "./relationship.inputs";

/** Which side of a link the caller is on in a list. */
export type LinkSide = "provider" | "reseller";

/**
 * The one rule of indirect-link visibility, as SQL over a link alias: the
 * links the caller's partner is a side of; with `side`, only those where it is
 * that side (`indirectResellers`: the provider, `indirectProviders`: the
 * reseller). The loader path and the read planner both use it.
 */
export function indirectRelationshipVisibility(l: string, viewer: string, side?: LinkSide): string {
  if (side === "provider") return `${l}.provider_id = ${viewer}`;
  if (side === "reseller") return `${l}.reseller_id = ${viewer}`;
  return `(${l}.provider_id = ${viewer} OR ${l}.reseller_id = ${viewer})`;
}

/** The conditions of `indirectResellers` / `indirectProviders(filter:)` over `l`, shared by both read paths. */
export function indirectRelationshipFilterConditions(filter: IndirectRelationshipFilter | null | undefined, bind: BindValue): string[] {
  return filter?.status ? [`l.status = ${bind(filter.status)}`] : [];
}
