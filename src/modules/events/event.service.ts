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
      `WITH ${first ? `written AS (${first.sql}), ` : ""}e AS (
         INSERT INTO domain_event (partner_id, type, resource_type, resource_id, body, occurred_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${at})
         RETURNING ${COLUMNS}
       )${hooks.map((hook, i) => `, hook${i} AS (${hook})`).join("")}
       SELECT e.*, pg_notify('${EVENTS_CHANNEL}', e.seq::text) FROM e`,
      [...(first?.parameters ?? []), draft.partnerId, draft.type, draft.resourceType, draft.resourceId, JSON.stringify(draft.body), ...(first ? [] : [draft.occurredAt ?? null])],
    );
    return fromRow(rows[0]!);
  }

  /**
   * Events after `afterSeq` in write order, optionally one partner's. `seq` is
   * taken at insert: a transaction may commit after one that wrote a larger seq,
   * so a reader catching up should follow NOTIFY or re-read a short window.
   */
  async after(afterSeq: string | number, options: { limit?: number; partnerId?: string } = {}): Promise<DomainEvent[]> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const rows: EventRow[] = options.partnerId
      ? await this.dataSource.query(`SELECT ${COLUMNS} FROM domain_event WHERE seq > $1 AND partner_id = $2 ORDER BY seq LIMIT $3`, [String(afterSeq), options.partnerId, limit])
      : await this.dataSource.query(`SELECT ${COLUMNS} FROM domain_event WHERE seq > $1 ORDER BY seq LIMIT $2`, [String(afterSeq), limit]);
    return rows.map(fromRow);
  }

  /** The events NOTIFY announced (payloads are seqs), in seq order. */
  async bySeqs(seqs: readonly (string | number)[]): Promise<DomainEvent[]> {
    if (seqs.length === 0) return [];
    const rows: EventRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM domain_event WHERE seq = ANY($1::bigint[]) ORDER BY seq`, [seqs.map(String)]);
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
