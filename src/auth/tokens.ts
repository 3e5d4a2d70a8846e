import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as jose from "jose";
import type { DataSource } from "typeorm";
import type { Config } from "../config";
import { requestScope } from "../db/sql-stats";
import { isPartnerRole, PartnerRole } from "./roles";

/** Who is calling: read from a verified bearer token. */
export interface Viewer {
  userId: string;
  partnerId: string;
  /** The effective roles: the token's, less any taken away since it was issued (`effectiveRoles`). */
  roles: ReadonlySet<PartnerRole>;
  email: string | null;
}

export interface TokenClaims {
  sub: string;
  pid: string;
  roles: PartnerRole[];
  email?: string;
}

type VerificationKey = Uint8Array | jose.CryptoKey | jose.JWTVerifyGetKey;

/** What is stored of the user a token's `sub` names. */
export interface StoredUser {
  partnerId: string;
  email: string;
  roles: readonly PartnerRole[];
  /** When `partnerUserRolesSet` last changed the stored roles; null when never. */
  rolesChangedAt: Date | null;
}

/** The stored user a token's `sub` names, with its partner; null when there is none. */
export type UserLookup = (userId: string) => Promise<StoredUser | null>;

/**
 * How a token's roles and the stored roles combine. A token issued after the
 * user's last role change (its `iat` later than `rolesChangedAt`, or no change
 * ever) carries its roles as signed: `npm run token` and an identity provider
 * may sign any roles. A token issued before it (or within the same second:
 * `iat` has whole seconds) keeps only those of its roles still stored, so a
 * role taken away stops working at once, whatever the token says, and a role
 * added is used only by a token that claims it.
 */
export function effectiveRoles(tokenRoles: ReadonlySet<PartnerRole>, issuedAtSeconds: number, user: Pick<StoredUser, "roles" | "rolesChangedAt">): ReadonlySet<PartnerRole> {
  if (!user.rolesChangedAt || issuedAtSeconds * 1000 > user.rolesChangedAt.getTime()) return tokenRoles;
  const stored = new Set(user.roles);
  return new Set([...tokenRoles].filter((role) => stored.has(role)));
}

/** The name under which the verification cache listens on the CacheBus; the key is a user id. */
export const USER_CACHE = "partnerUser";

/**
 * How long a token's user check (existence, partner, stored roles) is reused
 * before it is read again. Role changes invalidate it at once on every
 * instance through the CacheBus; this only bounds an invalidation that was
 * lost (Redis unreachable when it was published).
 */
const USER_RECHECK_MS = 60_000;

export interface TokenService {
  /**
   * Checks the token (signature, issuer, audience, times, claims), then that its
   * user exists and belongs to its partner. Throws InvalidTokenError for a bad
   * token; a failing lookup's error passes through (the database is down).
   */
  verify(token: string, lookupUser: UserLookup): Promise<Viewer>;
  /** Drops what the verification cache holds of this user's lookups (its roles changed): its tokens are checked again on their next request. */
  forgetUser(userId: string): void;
  /** Drops every cached user lookup (invalidations may have been missed). */
  forgetAll(): void;
  /** Only with a shared secret (HS256): development, tests, `npm run token`. */
  sign(claims: TokenClaims, expiresIn?: string): Promise<string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

/** Reads `partner_user` joined to its partner, outside the request's SQL counter (authentication is per token, not per operation). */
export function partnerUserLookup(dataSource: DataSource): UserLookup {
  return (userId) => {
    const requestId = requestScope.getStore()?.requestId ?? "";
    return requestScope.run({ requestId, sql: { statements: 0 } }, async () => {
      const rows: { partner_id: string; email: string; roles: string[]; roles_changed_at: Date | null }[] = await dataSource.query(
        `SELECT u.partner_id, u.email, u.roles, u.roles_changed_at FROM partner_user u JOIN partner p ON p.id = u.partner_id WHERE u.id = $1`,
        [userId],
      );
      const row = rows[0];
      return row ? { partnerId: row.partner_id, email: row.email, roles: row.roles.filter(isPartnerRole), rolesChangedAt: row.roles_changed_at } : null;
    });
  };
}

/** A development secret: created once in the data folder, read by the server and `npm run token`. */
export function developmentSecret(dataDir: string, name = "jwt-secret"): string {
  const file = path.join(dataDir, name);
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(32).toString("base64url");
  try {
    fs.writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
    return secret;
  } catch {
    return fs.readFileSync(file, "utf8").trim(); // another process created it first
  }
}

export async function createTokenService(config: Config): Promise<TokenService> {
  const { jwt } = config;
  let key: VerificationKey;
  let algorithms: string[];
  let secret: Uint8Array | null = null;
  if (jwt.jwksUrl) {
    key = jose.createRemoteJWKSet(new URL(jwt.jwksUrl));
    algorithms = ["RS256", "ES256", "PS256"];
  } else if (jwt.publicKey) {
    key = await jose.importSPKI(jwt.publicKey.replace(/\\n/g, "\n"), "RS256");
    algorithms = ["RS256"];
  } else {
    if (!jwt.secret && config.env === "production") {
      throw new Error("NODE_ENV=production needs JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL; refusing to start with a generated key");
    }
    secret = new TextEncoder().encode(jwt.secret ?? developmentSecret(config.dataDir));
    key = secret;
    algorithms = ["HS256"];
  }

  const { maxLifetimeSeconds, clockSkewSeconds } = jwt;

  /** Checks signature, issuer, audience, times (with the clock skew), lifetime and claims. */
  const verifyToken = async (token: string): Promise<{ viewer: Viewer; issuedAt: number; expiresAt: number }> => {
    let payload: jose.JWTPayload;
    try {
      const options = { issuer: jwt.issuer, audience: jwt.audience, algorithms, requiredClaims: ["sub", "exp", "iat"], clockTolerance: clockSkewSeconds };
      payload =
        typeof key === "function"
          ? (await jose.jwtVerify(token, key, options)).payload
          : (await jose.jwtVerify(token, key, options)).payload;
    } catch (error) {
      throw new InvalidTokenError(error instanceof Error ? error.message : "invalid token");
    }
    const { sub, pid, roles, email } = payload as Record<string, unknown>;
    const iat = Number(payload.iat);
    const exp = Number(payload.exp);
    if (iat > Date.now() / 1000 + clockSkewSeconds) throw new InvalidTokenError("claim iat is in the future");
    if (exp - iat > maxLifetimeSeconds) throw new InvalidTokenError(`the token's lifetime (exp - iat) exceeds ${maxLifetimeSeconds} s`);
    if (typeof sub !== "string" || !UUID.test(sub)) throw new InvalidTokenError("claim sub must be a user id (UUID)");
    if (typeof pid !== "string" || !UUID.test(pid)) throw new InvalidTokenError("claim pid must be a partner id (UUID)");
    if (!Array.isArray(roles) || roles.length === 0 || !roles.every(isPartnerRole)) {
      throw new InvalidTokenError("claim roles must be a non-empty list of PartnerRole names");
    }
    const viewer = { userId: sub.toLowerCase(), partnerId: pid.toLowerCase(), roles: new Set(roles), email: typeof email === "string" ? email : null };
    return { viewer, issuedAt: iat, expiresAt: exp * 1000 };
  };

  /**
   * The token's user must exist and belong to the token's partner; its stored
   * email replaces the claimed one, and its stored roles limit the token's (`effectiveRoles`).
   */
  const checkUser = async (claimed: Viewer, issuedAt: number, lookupUser: UserLookup): Promise<Viewer> => {
    const user = await lookupUser(claimed.userId);
    if (!user) throw new InvalidTokenError(`user ${claimed.userId} (claim sub) does not exist`);
    if (user.partnerId !== claimed.partnerId) throw new InvalidTokenError(`user ${claimed.userId} (claim sub) is not a user of partner ${claimed.partnerId} (claim pid)`);
    return { ...claimed, email: user.email, roles: effectiveRoles(claimed.roles, issuedAt, user) };
  };

  /**
   * Verified tokens until they expire (a signature check per request is
   * measurable CPU), each with its user check while that is fresh. The user
   * check is dropped by `forgetUser` (a role change, on every instance
   * through the CacheBus) and re-read after USER_RECHECK_MS at the latest.
   */
  interface Verified {
    claimed: Viewer;
    issuedAt: number;
    expiresAt: number;
    checked: { viewer: Viewer; at: number } | null;
  }
  const verified = new Map<string, Verified>();
  const tokensOfUser = new Map<string, Set<string>>();
  const VERIFIED_CACHE_SIZE = 10_000;
  // bumped by every forget: a lookup that overlapped one may have read the old roles and is not kept
  let forgets = 0;

  const remove = (token: string) => {
    const entry = verified.get(token);
    if (!entry) return;
    verified.delete(token);
    const tokens = tokensOfUser.get(entry.claimed.userId);
    tokens?.delete(token);
    if (tokens?.size === 0) tokensOfUser.delete(entry.claimed.userId);
  };

  const keep = (token: string, entry: Verified) => {
    if (!verified.has(token) && verified.size >= VERIFIED_CACHE_SIZE) remove(verified.keys().next().value!);
    verified.set(token, entry);
    let tokens = tokensOfUser.get(entry.claimed.userId);
    if (!tokens) tokensOfUser.set(entry.claimed.userId, (tokens = new Set()));
    tokens.add(token);
  };

  return {
    async verify(token, lookupUser) {
      const now = Date.now();
      let entry = verified.get(token);
      if (entry && entry.expiresAt <= now) {
        remove(token);
        entry = undefined;
      }
      if (entry?.checked && now - entry.checked.at < USER_RECHECK_MS) return entry.checked.viewer;
      if (!entry) {
        const { viewer: claimed, issuedAt, expiresAt } = await verifyToken(token);
        entry = { claimed, issuedAt, expiresAt, checked: null };
      }
      const before = forgets;
      const viewer = await checkUser(entry.claimed, entry.issuedAt, lookupUser);
      keep(token, { ...entry, checked: forgets === before ? { viewer, at: now } : null });
      return viewer;
    },

    forgetUser(userId) {
      forgets++;
      for (const token of tokensOfUser.get(userId.toLowerCase()) ?? []) {
        const entry = verified.get(token);
        if (entry) entry.checked = null;
      }
    },

    forgetAll() {
      forgets++;
      for (const entry of verified.values()) entry.checked = null;
    },

    // 8 hours by default, or the longest lifetime this server accepts when that is shorter
    async sign(claims, expiresIn = `${Math.min(8 * 60 * 60, maxLifetimeSeconds)}s`) {
      if (!secret) throw new Error("tokens can only be signed with a shared secret (JWT_SECRET or the development secret)");
      const token = await new jose.SignJWT({ pid: claims.pid, roles: claims.roles, ...(claims.email ? { email: claims.email } : {}) })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(claims.sub)
        .setIssuer(jwt.issuer)
        .setAudience(jwt.audience)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(secret);
      const { iat, exp } = jose.decodeJwt(token);
      if (exp! - iat! > maxLifetimeSeconds) throw new Error(`a token may live at most ${maxLifetimeSeconds} s (TOKEN_MAX_LIFETIME_SECONDS); "${expiresIn}" is longer`);
      return token;
    },
  };
}
