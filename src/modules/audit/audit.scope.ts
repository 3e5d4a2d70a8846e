import { Capability, hasCapability } from "../../auth/permissions";
import type { Viewer } from "../../auth/tokens";

/** Resource types whose records need more than `readAuditRecords`: the capability that reads the resource itself. */
const RESOURCE_READ_RULES: ReadonlyMap<string, Capability> = new Map<string, Capability>([["referral", "readAllReferrals"]]);

/** Resource types of records the caller's roles may not read (audit readers may not read referrals through their history). */
export function hiddenResourceTypes(viewer: Viewer): string[] {
  return [...RESOURCE_READ_RULES].filter(([, capability]) => !hasCapability(viewer.roles, capability)).map(([resourceType]) => resourceType);
}

/**
 * The one rule of audit visibility, as SQL over an audit alias: the caller's
 * partner's records, less those of hidden resource types (`hidden`: a SQL
 * text[] value). The loader path and the read planner both use it.
 */
export function auditVisibility(a: string, p: { viewer: string; hidden: string }): string {
  return `${a}.partner_id = ${p.viewer} AND NOT (${a}.resource_type = ANY(${p.hidden}))`;
}
