import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The outbox and webhook delivery. `domain_event` gets one row per audit record
 * that names an event type (same transaction, so an event exists exactly when
 * its change committed); `seq` orders them as they were written. A webhook's
 * deliveries are created in that same transaction, one per matching enabled
 * webhook, and worked off by the delivery worker: a claim is a lease
 * (`lease_until`, `lease_token`), so a killed worker's rows become due again.
 * Relationship-request expiry (computed, never stored) is recorded once per
 * request: the partial unique index makes a second sweep a no-op.
 */
export class EventsAndWebhooks1732700000000 implements MigrationInterface {
  name = "EventsAndWebhooks1732700000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE domain_event (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigserial NOT NULL UNIQUE,
        partner_id uuid NOT NULL REFERENCES partner(id),
        type text NOT NULL,
        resource_type text NOT NULL,
        resource_id text NOT NULL,
        occurred_at timestamptz(3) NOT NULL DEFAULT now(),
        body jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX domain_event_partner_seq_idx ON domain_event (partner_id, seq)`);
    await q.query(`CREATE UNIQUE INDEX domain_event_expired_once_idx ON domain_event (partner_id, resource_id) WHERE type = 'relationshipRequest.expired'`);
    await q.query(`
      CREATE TABLE webhook (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id uuid NOT NULL REFERENCES partner(id),
        url text NOT NULL,
        event_types text[] NOT NULL,
        description text,
        secret_ciphertext text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        failure_count integer NOT NULL DEFAULT 0,
        disabled_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_partner_idx ON webhook (partner_id, created_at, id)`);
    await q.query(`
      CREATE TABLE webhook_delivery (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id uuid NOT NULL REFERENCES webhook(id) ON DELETE CASCADE,
        event_id uuid NOT NULL REFERENCES domain_event(id),
        event_seq bigint NOT NULL,
        resource_id text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
        attempts integer NOT NULL DEFAULT 0,
        last_status_code integer,
        last_error text,
        next_attempt_at timestamptz(3) NOT NULL DEFAULT now(),
        lease_until timestamptz(3),
        lease_token uuid,
        delivered_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (webhook_id, event_id)
      )`);
    await q.query(`CREATE INDEX webhook_delivery_due_idx ON webhook_delivery (next_attempt_at) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX webhook_delivery_order_idx ON webhook_delivery (webhook_id, resource_id, event_seq) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX webhook_delivery_list_idx ON webhook_delivery (webhook_id, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_delivery`);
    await q.query(`DROP TABLE webhook`);
    await q.query(`DROP TABLE domain_event`);
  }
}
