import { DataSource, EntityManager } from "typeorm";
import { DomainEvent } from "./domain-event.entity";
import { AuditedChange, EventDraft, eventOfAudit } from "./event-types";

/** The channel every committed event is announced on; the payload is its `seq` (NOTIFY is delivered at commit, so only committed events are announced). */
export const EVENTS_CHANNEL = "pag_events";

/**
 * A data-modifying statement run in the statement that appends an event (webhook fan-out), as SQL over the CTE `e`
 * (the new domain_event row): what it writes commits or rolls back with the event, at no extra round trip.
 */
export type AppendHook = string;

interface EventRow {
  id: string;
  seq: string;
  partner_id: string;
  type: string;
  resource_type: string;
  resource_id: string;
  occurred_at: Date;
  body: Record<string, unknown>;
}

function fromRow(row: EventRow): DomainEvent {
  return Object.assign(new DomainEvent(), {
    id: row.id,
    seq: String(row.seq),
    partnerId: row.partner_id,
    type: row.type,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    occurredAt: row.occurred_at,
    data: row.body,
  });
}

const COLUMNS = "id, seq, partner_id, type, resource_type, resource_id, occurred_at, body";

/**
 * The seed of the per-resource advisory lock's key (`hashtextextended(resource_id, seed)`), fixed so every
 * instance computes the same key; a collision between two resources only makes them wait for each other.
 */
export const RESOURCE_LOCK_SEED = 7_106_803_155; // "pag_ev" keyspace: no other advisory lock is taken in this database

/** The SQL of the advisory-lock key of a resource id (a text expression). */
export function resourceLockKey(resourceIdSql: string): string {
  return `hashtextextended(${resourceIdSql}, ${RESOURCE_LOCK_SEED})`;
}

/**
 * The outbox: domain events appended inside the transactions of the changes
 * (AuditService.record appends the event of each audit record it writes), and
 * read back in write order.
 */
export class EventService {
  private readonly hooks: AppendHook[] = [];

  constructor(private readonly dataSource: DataSource) {}

  /** Registers SQL that must run with every append (the webhooks module's fan-out), e.g. `INSERT INTO … SELECT … FROM e`. */
  onAppend(hook: AppendHook): void {
    this.hooks.push(hook);
  }

  /** The event of an audit record in `partnerId`'s log, or null for operations outside the feed. */
  draftForAudit(partnerId: string, change: AuditedChange): EventDraft | null {
    return eventOfAudit(partnerId, change);
  }

  /**
   * Inserts the event, runs the append hooks and announces it on EVENTS_CHANNEL, all in one statement;
   * `hooks: false` for an event meant for one receiver (a webhook test).
   *
   * Per-resource order: `seq` is a sequence value taken when the row is built, not at commit, so two transactions
   * writing events of one resource could commit in the other order than their seqs (and the delivery worker, which
   * holds a resource's later event while an earlier seq is PENDING, would not see the earlier one yet and send the
   * later first). So the statement first takes a transaction-level advisory lock on the resource (CTE `lock`, a
   * volatile function, hence materialised and evaluated before the INSERT's `SELECT … FROM lock` produces its row,
   * whose `seq` default (nextval) is computed in that row's projection); a second writer of the resource waits there,
   * before it has a seq, until the first commits or rolls back. For one resource, seq order is commit order
   * (test/events/ordering.test.ts checks the evaluation order on the real database).
   *
   * Deadlocks: the lock is held to the end of the transaction, and taken where the event is written, i.e. after the
   * mutation has locked (FOR UPDATE, UPDATE, DELETE) or inserted the row of the object the event is about: whoever
   * holds a resource's advisory lock normally also holds that object's row lock, so a second writer already waits on
   * the row, never on this lock. Where that does not hold (two transactions appending events of two shared resources
   * in opposite orders), PostgreSQL's deadlock detector covers advisory locks like any heavyweight lock: after
   * `deadlock_timeout` one transaction is aborted with 40P01 and rolls back entirely (no event, no change), and the
   * mutation answers the retryable SERVICE_UNAVAILABLE error of `transactionConflict` (src/graphql/mutation.ts), never
   * a 500. Lock waits also count toward `statement_timeout`.
   */
  async append(
    manager: EntityManager,
    draft: EventDraft & { occurredAt?: Date },
    options: {
      hooks?: boolean;
      /** A data-modifying statement run first in the same statement (the audit record's insert), whose `RETURNING at` dates the event; its parameters come first. */
      with?: { sql: string; parameters: unknown[] };
    } = {},
  ): Promise<DomainEvent> {
    const hooks = options.hooks === false ? [] : this.hooks;
    const first = options.with;
    const n = first?.parameters.length ?? 0;
    const p = (i: number) => `$${n + i}`;
    const at = first ? "(SELECT at FROM written)" : `coalesce(${p(6)}::timestamptz, clock_timestamp())`;
    const rows: EventRow[] = await manager.query(
      `WITH ${first ? `written AS (${first.sql}), ` : ""}lock AS (SELECT pg_advisory_xact_lock(${resourceLockKey(`${p(4)}::text`)})), e AS (
         INSERT INTO domain_event (partner_id, type, resource_type, resource_id, body, occurred_at)
         SELECT ${p(1)}::uuid, ${p(2)}::text, ${p(3)}::text, ${p(4)}::text, ${p(5)}::jsonb, ${at} FROM lock
         RETURNING ${COLUMNS}
       )${hooks.map((hook, i) => `, hook${i} AS (${hook})`).join("")}
       SELECT e.*, pg_notify('${EVENTS_CHANNEL}', e.seq::text) FROM e`,
      [...(first?.parameters ?? []), draft.partnerId, draft.type, draft.resourceType, draft.resourceId, JSON.stringify(draft.body), ...(first ? [] : [draft.occurredAt ?? null])],
    );
    return fromRow(rows[0]!);
  }

  /** The current snapshot (`pg_current_snapshot()`, as text): the bound of a read of what committed since. */
  async snapshot(): Promise<string> {
    const [row] = await this.dataSource.query(`SELECT pg_current_snapshot()::text AS snapshot`);
    return row.snapshot;
  }

  /**
   * The events that committed after snapshot `since` and by snapshot `until` (both from `snapshot()`), optionally
   * one partner's, in seq order, `limit` at a time after `afterSeq` (0 for the first page).
   *
   * Not `seq > last`: seq is taken at insert, so a transaction may commit after one that wrote a larger seq, and a
   * reader that advanced past the larger one would never see it. Instead each event records its transaction's id
   * (`xid`): an event committed after `since` is one whose transaction was still running at `since`, or had not
   * started (`NOT pg_visible_in_snapshot(xid, since)`, and `xid >= xmin(since)`, which the index serves), and
   * `pg_visible_in_snapshot(xid, until)` keeps the pages of one read to what had committed by `until` (a later
   * commit belongs to the next read, whose `since` is this `until`). Consecutive reads thus see every committed
   * event exactly once, whatever the commit order.
   */
  async committedBetween(since: string, until: string, options: { afterSeq?: string | number; limit?: number; partnerId?: string } = {}): Promise<DomainEvent[]> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM domain_event
       WHERE xid >= pg_snapshot_xmin($1::pg_snapshot) AND xid < pg_snapshot_xmax($2::pg_snapshot)
         AND NOT pg_visible_in_snapshot(xid, $1::pg_snapshot) AND pg_visible_in_snapshot(xid, $2::pg_snapshot)
         AND seq > $3 AND ($4::uuid IS NULL OR partner_id = $4)
       ORDER BY seq LIMIT $5`,
      [since, until, String(options.afterSeq ?? 0), options.partnerId ?? null, limit],
    );
    return rows.map(fromRow);
  }

  async byId(id: string, manager: EntityManager = this.dataSource.manager): Promise<DomainEvent | null> {
    const rows: EventRow[] = await manager.query(`SELECT ${COLUMNS} FROM domain_event WHERE id = $1`, [id]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /** The newest seq (0 when empty): where a new listener starts. */
  async lastSeq(): Promise<string> {
    const [row] = await this.dataSource.query(`SELECT coalesce(max(seq), 0)::text AS seq FROM domain_event`);
    return row.seq;
  }
}
