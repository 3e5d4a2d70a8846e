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

/** The stored user a token's `sub` names, with its partner; null when there is none. */
export type UserLookup = (userId: string) => Promise<{ partnerId: string; email: string } | null>;

export interface TokenService {
  /**
   * Checks the token (signature, issuer, audience, times, claims), then that its
   * user exists and belongs to its partner. Throws InvalidTokenError for a bad
   * token; a failing lookup's error passes through (the database is down).
   */
  verify(token: string, lookupUser: UserLookup): Promise<Viewer>;
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
      const rows: { partner_id: string; email: string }[] = await dataSource.query(
        `SELECT u.partner_id, u.email FROM partner_user u JOIN partner p ON p.id = u.partner_id WHERE u.id = $1`,
        [userId],
      );
      return rows[0] ? { partnerId: rows[0].partner_id, email: rows[0].email } : null;
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
  const verifyToken = async (token: string): Promise<{ viewer: Viewer; expiresAt: number }> => {
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
    return { viewer, expiresAt: exp * 1000 };
  };

  /** The token's user must exist and belong to the token's partner; its stored email replaces the claimed one. */
  const checkUser = async (viewer: Viewer, lookupUser: UserLookup): Promise<Viewer> => {
    const user = await lookupUser(viewer.userId);
    if (!user) throw new InvalidTokenError(`user ${viewer.userId} (claim sub) does not exist`);
    if (user.partnerId !== viewer.partnerId) throw new InvalidTokenError(`user ${viewer.userId} (claim sub) is not a user of partner ${viewer.partnerId} (claim pid)`);
    return { ...viewer, email: user.email };
  };

  // a verified token's viewer (signature and user checked) until the token expires: a signature check per request is measurable CPU
  const verified = new Map<string, { viewer: Viewer; expiresAt: number }>();
  const VERIFIED_CACHE_SIZE = 10_000;

  return {
    async verify(token, lookupUser) {
      const hit = verified.get(token);
      if (hit && hit.expiresAt > Date.now()) return hit.viewer;
      const { viewer, expiresAt } = await verifyToken(token);
      const result = { viewer: await checkUser(viewer, lookupUser), expiresAt };
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
      verified.set(token, result);
      return result.viewer;
    },

    async sign(claims, expiresIn = "8h") {
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
