import crypto from "node:crypto";
import { developmentSecret } from "../../auth/tokens";
import type { Config } from "../../config";

/** The key invitation tokens are derived from: INVITATION_SECRET, or a file in the data folder. */
export function invitationSecretOf(config: Pick<Config, "invitationSecret" | "dataDir">): string {
  return config.invitationSecret ?? developmentSecret(config.dataDir, "invitation-secret");
}

/**
 * A request's token, derived from its id with the server key: a pending
 * invitation's URL can be shown again while the database holds only a hash.
 */
export function invitationToken(secret: string, requestId: string): string {
  return crypto.createHmac("sha256", secret).update(`invitation:${requestId}`).digest("base64url");
}

/** What the database stores and looks tokens up by. */
export function invitationTokenHash(token: string): string {
  return crypto.createHash("sha256").update(token, "utf8").digest("hex");
}
