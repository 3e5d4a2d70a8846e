import type { BindValue } from "../../graphql/relay";
import { ReferralDirection, ReferralStatus, ReferralSubstatus } from "./referral.enums";
import type { ReferralFilter } from "./referral.inputs";

/** The assignee of the viewer's side of a referral `r`, in SQL (`viewer`: the caller's partner id). */
export function viewerSideAssignee(viewer: string): string {
  return `(CASE WHEN r.from_partner_id = ${viewer} THEN r.from_assigned_to ELSE r.to_assigned_to END)`;
}

/**
 * The one rule of referral visibility, as SQL over the referral alias `r`:
 * the referrals the caller's partner sent or received, and for a caller
 * reaching only its assigned ones (`assignedTo`: its user id, in SQL) those
 * assigned to it on its partner's side. The loader path
 * (`ReferralService.scoped`) and the read planner both use it; who reaches
 * what (`ReferralService.access`, FORBIDDEN otherwise) is decided before.
 */
export function referralVisibility(p: { viewer: string; assignedTo: string | null }): string {
  const sides = `(r.from_partner_id = ${p.viewer} OR r.to_partner_id = ${p.viewer})`;
  return p.assignedTo === null ? sides : `${sides} AND ${viewerSideAssignee(p.viewer)} = ${p.assignedTo}`;
}

/**
 * The conditions of `referrals(filter:)` over `r`, shared by both read paths.
 * EXPIRED is never stored: NEW and EXPIRED are told apart against `now` (the
 * referral service's clock, read once per list), which is bound only when a
 * condition needs it, like the caller's user id.
 */
export function referralFilterConditions(filter: ReferralFilter | null | undefined, bind: BindValue, p: { viewer: string; userId: string; now: Date }): string[] {
  const f = filter ?? {};
  const conditions: string[] = [];
  let now: string | undefined;
  const at = () => (now ??= bind(p.now));
  const open = () => `r.status = 'NEW' AND r.expires_at > ${at()}`;
  const expired = () => `r.status = 'NEW' AND r.expires_at <= ${at()}`;
  switch (f.status) {
    case ReferralStatus.NEW:
      conditions.push(open());
      break;
    case ReferralStatus.ACTIVE:
      conditions.push("r.status = 'ACTIVE'");
      break;
    case ReferralStatus.CLOSED:
      conditions.push(`(r.status = 'CLOSED' OR (${expired()}))`);
      break;
  }
  switch (f.substatus) {
    case ReferralSubstatus.PENDING:
      conditions.push(`${open()} AND r.from_partner_id = ${p.viewer}`);
      break;
    case ReferralSubstatus.RECEIVED:
      conditions.push(`${open()} AND r.to_partner_id = ${p.viewer}`);
      break;
    case ReferralSubstatus.EXPIRED:
      conditions.push(expired());
      break;
    case ReferralSubstatus.ACCEPTED:
    case ReferralSubstatus.WON:
    case ReferralSubstatus.LOST:
    case ReferralSubstatus.DECLINED:
      conditions.push(`r.substatus = ${bind(f.substatus)}`);
      break;
  }
  if (f.direction === ReferralDirection.INCOMING) conditions.push(`r.to_partner_id = ${p.viewer}`);
  if (f.direction === ReferralDirection.OUTGOING) conditions.push(`r.from_partner_id = ${p.viewer}`);
  if (f.assignedToMe === true) conditions.push(`${viewerSideAssignee(p.viewer)} = ${bind(p.userId)}`);
  if (f.assignedToMe === false) conditions.push(`${viewerSideAssignee(p.viewer)} IS DISTINCT FROM ${bind(p.userId)}`);
  if (f.createdAfter) conditions.push(`r.created_at > ${bind(f.createdAfter)}`);
  return conditions;
}
