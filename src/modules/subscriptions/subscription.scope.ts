/**
 * The one rule of subscription visibility, as SQL over a subscription alias:
 * the caller's partner's own sales to customers it still holds an ACTIVE
 * relationship with. The loader path and the read planner both use it.
 */
export function subscriptionVisibility(s: string, viewer: string): string {
  return `${s}.partner_id = ${viewer} AND EXISTS (SELECT 1 FROM customer_relationship srel WHERE srel.customer_id = ${s}.customer_id AND srel.partner_id = ${s}.partner_id AND srel.status = 'ACTIVE')`;
}
