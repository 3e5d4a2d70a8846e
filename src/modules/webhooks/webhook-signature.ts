import crypto from "node:crypto";

/**
 * The Standard Webhooks scheme: a secret `whsec_<base64 key>`, headers
 * `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature:
 * v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`.
 */
export const SECRET_PREFIX = "whsec_";
/** How far a receiver lets `webhook-timestamp` drift from its clock (replays of old deliveries are refused). */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export function generateSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(32).toString("base64");
}

function keyOf(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
  if (key.length < 24 || key.length > 64) throw new Error("a webhook secret is whsec_ followed by the base64 of 24 to 64 bytes");
  return key;
}

export function signature(secret: string, id: string, timestamp: number, body: string): string {
  return "v1," + crypto.createHmac("sha256", keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest("base64");
}

/** The three headers of one delivery attempt. */
export function signedHeaders(secret: string, id: string, timestamp: number, body: string): Record<string, string> {
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": signature(secret, id, timestamp, body) };
}

export type Verification = { ok: true } | { ok: false; reason: string };

/** A receiver's check: a known signature (any of the space-separated `v1,…`) over this id, timestamp and body, and a timestamp near `nowSeconds`. */
export function verifySignature(
  secret: string,
  headers: { id?: string; timestamp?: string; signature?: string },
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Verification {
  if (!headers.id || !headers.timestamp || !headers.signature) return { ok: false, reason: "missing webhook-id, webhook-timestamp or webhook-signature" };
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp)) return { ok: false, reason: "webhook-timestamp is not a number of seconds" };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: "webhook-timestamp is too far from now" };
  const expected = Buffer.from(signature(secret, headers.id, timestamp, body));
  const matches = headers.signature.split(" ").some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
  return matches ? { ok: true } : { ok: false, reason: "no signature matches" };
}

/**
 * Webhook secrets at rest: AES-256-GCM under a server key (WEBHOOK_SECRET_KEY),
 * because the worker needs the secret itself to sign; the API never shows it after creation.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(serverKey: string) {
    this.key = crypto.createHash("sha256").update(`webhook-secrets:${serverKey}`).digest();
  }

  seal(plain: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", this.key, iv);
    const sealed = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), sealed.toString("base64url")].join(".");
  }

  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split(".");
    if (version !== "v1" || !iv || !tag || data === undefined) throw new Error("not a sealed webhook secret");
    const decipher = crypto.createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  }
}
