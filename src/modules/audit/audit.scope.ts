import { Capability, hasCapability } from "../../auth/permissions";
import type { Viewer } from "../../auth/tokens";
import { badUserInput } from "../../graphql/errors";
import { BindValue, idOfType } from "../../graphql/relay";

/** Resource types whose records need more than `readAuditRecords`: the capability that reads the resource itself. */
const RESOURCE_READ_RULES: ReadonlyMap<string, Capability> = new Map<string, Capability>([
  ["referral", "readAllReferrals"],
  ["webhook", "manageWebhooks"],
]);

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

/** What `auditRecords(filter:)` narrows to, with `customerId` a database id. */
export interface AuditFilter {
  customerId?: string | null;
  resourceType?: string | null;
  operationType?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** `filter.customerId` (a Customer global id) as a database id; null when not given, bad input when not a Customer id. */
export function auditCustomerIdArgument(globalId: string | null | undefined): string | null {
  if (!globalId) return null;
  const id = idOfType(globalId, "Customer");
  if (!id) throw badUserInput("`filter.customerId` is not a Customer id.", "customerId");
  return id;
}

/** The conditions of `auditRecords(filter:)` over `a`, shared by both read paths. */
export function auditFilterConditions(filter: AuditFilter, bind: BindValue): string[] {
  const conditions: string[] = [];
  if (filter.customerId) conditions.push(`a.customer_id = ${bind(filter.customerId)}`);
  if (filter.resourceType) conditions.push(`a.resource_type = ${bind(filter.resourceType)}`);
  if (filter.operationType) conditions.push(`a.operation_type = ${bind(filter.operationType)}`);
  if (filter.from) conditions.push(`a.at >= ${bind(filter.from)}`);
  if (filter.to) conditions.push(`a.at < ${bind(filter.to)}`);
  return conditions;
}
