import { DEMO_PARTNERS, DemoPartner, demoUsers, partnerId } from "../db/seed/demo-data";
import { isPartnerRole, PartnerRole } from "./roles";
import type { TokenService } from "./tokens";

/**
 * The one way demo tokens are minted: `npm run token` and the playground's
 * sign-in (development and tests only) both call signDemoToken.
 */
export class DemoCallerError extends Error {
  override name = "DemoCallerError";
}

export interface DemoCaller {
  partner: DemoPartner;
  user: { id: string; email: string; role: PartnerRole };
  roles: PartnerRole[];
}

/** A demo partner by its key (`contoso`) or its MPN id (`1000001`). */
export function findDemoPartner(keyOrMpnId: string): DemoPartner | undefined {
  return DEMO_PARTNERS.find((p) => p.key === keyOrMpnId || p.mpnId === keyOrMpnId);
}

/**
 * Who a demo token is for. The server accepts only a user stored for the
 * token's partner: `email` names one of its demo users, else it is the one
 * holding the first role. Throws DemoCallerError with a message for people.
 */
export function demoCaller(partnerKeyOrMpnId: string, roles: readonly string[], email?: string): DemoCaller {
  const partner = findDemoPartner(partnerKeyOrMpnId);
  if (!partner) throw new DemoCallerError(`unknown partner "${partnerKeyOrMpnId}"; the demo partners: ${DEMO_PARTNERS.map((p) => `${p.key} (${p.mpnId}, ${p.name})`).join(", ")}`);
  const unknown = roles.filter((role) => !isPartnerRole(role));
  if (unknown.length) throw new DemoCallerError(`unknown role ${unknown.map((r) => `"${r}"`).join(", ")}; the roles: ${Object.values(PartnerRole).join(", ")}`);
  const users = demoUsers(partner.key);
  const user = email ? users.find((u) => u.email === email.toLowerCase()) : users.find((u) => u.role === roles[0]);
  if (email && !user) throw new DemoCallerError(`${email} is not a demo user of ${partner.mpnId} (${partner.name}); its users: ${users.map((u) => u.email).join(", ")}`);
  const typedRoles = roles.length ? (roles as PartnerRole[]) : user ? [user.role] : [];
  if (!user || typedRoles.length === 0) throw new DemoCallerError(`choose at least one role; the roles: ${Object.values(PartnerRole).join(", ")}`);
  return { partner, user, roles: [...new Set(typedRoles)] };
}

/** A signed bearer token for the caller (the token service throws without a shared secret, or for a lifetime over the maximum). */
export function signDemoToken(tokens: TokenService, caller: DemoCaller, expiresIn?: string): Promise<string> {
  return tokens.sign({ sub: caller.user.id, pid: partnerId(caller.partner.key), roles: caller.roles, email: caller.user.email }, expiresIn);
}
