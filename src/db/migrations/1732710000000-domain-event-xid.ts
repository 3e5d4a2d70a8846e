import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The writing transaction's id on each event (`pg_current_xact_id()`, the top-level xid). `seq` is taken when
 * the row is written, not at commit, so across resources seq order is not commit order and a reader paging with
 * `seq > last` can skip an event whose transaction commits after a larger seq was read. The event feed reads
 * "what committed between two snapshots" instead: events whose xid was still running (or not yet started) at the
 * previous snapshot and has finished at the current one (`pg_visible_in_snapshot`), see src/server/event-feed.ts.
 * Rows written before this migration get 0 (long committed: no reader needs them).
 */
export class DomainEventXid1732710000000 implements MigrationInterface {
  name = "DomainEventXid1732710000000";

  async up(q: QueryRunner): Promise<void> {
    // a constant default first (no table rewrite), then the per-transaction one for new rows
    await q.query(`ALTER TABLE domain_event ADD COLUMN xid xid8 NOT NULL DEFAULT '0'`);
    await q.query(`ALTER TABLE domain_event ALTER COLUMN xid SET DEFAULT pg_current_xact_id()`);
    await q.query(`CREATE INDEX domain_event_xid_idx ON domain_event (xid)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX domain_event_xid_idx`);
    await q.query(`ALTER TABLE domain_event DROP COLUMN xid`);
  }
}
