import crypto from "node:crypto";
import { EntityManager } from "typeorm";
import { requireViewer, RequestContext } from "../../auth/context";
import { UserErrorCode, UserErrors } from "../../graphql/errors";

/** Stable JSON: object keys sorted, so equal inputs hash equally. */
function canonical(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([key, v]) => v !== undefined && key !== "idempotencyKey" && key !== "clientMutationId")
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
}

export type IdempotentOutcome<R> = { replayed: false; result: R } | { replayed: true; stored: Record<string, unknown> };

export const IDEMPOTENCY_WINDOW = "24 hours";

/**
 * Creating mutations run through here inside their transaction. The key row is
 * inserted first: a concurrent call with the same key blocks on it until the
 * first commits (then reads its stored result) or rolls back (then creates).
 */
export class IdempotencyService {
  async run<R>(
    manager: EntityManager,
    ctx: RequestContext,
    operation: string,
    key: string | null | undefined,
    input: unknown,
    create: () => Promise<{ result: R; stored: Record<string, unknown> }>,
  ): Promise<IdempotentOutcome<R>> {
    if (!key) return { replayed: false, result: (await create()).result };
    if (key.length > 200) throw UserErrors.of(UserErrorCode.TOO_LONG, "An idempotency key has at most 200 characters.", ["idempotencyKey"]);
    const { partnerId } = requireViewer(ctx);
    const hash = crypto.createHash("sha256").update(`${operation}\n${canonical(input)}`).digest("hex");
    await manager.query(`DELETE FROM idempotency_key WHERE partner_id = $1 AND key = $2 AND created_at < now() - interval '${IDEMPOTENCY_WINDOW}'`, [partnerId, key]);
    const inserted: unknown[] = await manager.query(
      `INSERT INTO idempotency_key (partner_id, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING key`,
      [partnerId, key, hash],
    );
    if (inserted.length === 0) {
      const [existing]: { request_hash: string; result: Record<string, unknown> | null }[] = await manager.query(
        `SELECT request_hash, result FROM idempotency_key WHERE partner_id = $1 AND key = $2`,
        [partnerId, key],
      );
      if (!existing || existing.request_hash !== hash || !existing.result) {
        throw UserErrors.of(UserErrorCode.IDEMPOTENCY_KEY_REUSED, "This idempotency key was used with a different input within the last 24 hours.", ["idempotencyKey"]);
      }
      return { replayed: true, stored: existing.result };
    }
    const { result, stored } = await create();
    await manager.query(`UPDATE idempotency_key SET result = $3 WHERE partner_id = $1 AND key = $2`, [partnerId, key, stored]);
    return { replayed: false, result };
  }

  /**
   * What a creating mutation returns: the object it created or, on a replay,
   * the object the key created first, read again through the caller's scope
   * (NOT_FOUND when that object is no longer visible, e.g. revoked since).
   */
  async created<R>(outcome: IdempotentOutcome<R>, storedKey: string, load: (id: string) => Promise<R | null>, what: string): Promise<R> {
    if (!outcome.replayed) return outcome.result;
    const found = await load(String(outcome.stored[storedKey]));
    if (!found) throw UserErrors.of(UserErrorCode.NOT_FOUND, `The ${what} this idempotency key created is no longer visible.`, ["idempotencyKey"]);
    return found;
  }
}
