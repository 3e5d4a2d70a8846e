/** The one rule of purchase-permission visibility, as SQL over an alias: the caller's partner's own grants. */
export function purchasePermissionVisibility(pp: string, viewer: string): string {
  return `${pp}.partner_id = ${viewer}`;
}
