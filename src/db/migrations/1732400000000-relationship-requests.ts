import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Relationship requests (invitations) with their state, which the vendor's
 * portal does not keep; only a hash of each invitation token is stored.
 * Audit records may come from a customer's admin (no partner user), and
 * grants may be made by users the directory does not list (synthetic token
 * users), so those two columns lose their user constraint.
 */
export class RelationshipRequests1732400000000 implements MigrationInterface {
  name = "RelationshipRequests1732400000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE relationship_request (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id uuid NOT NULL REFERENCES partner(id),
        token_hash text NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('PENDING', 'ACCEPTED', 'CANCELLED')),
        include_delegated_admin boolean NOT NULL DEFAULT false,
        customer_domain text,
        indirect_reseller_id uuid REFERENCES partner(id),
        customer_id uuid REFERENCES customer(id),
        created_by uuid NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL,
        accepted_at timestamptz(3),
        cancelled_at timestamptz(3),
        CHECK (expires_at > created_at)
      )`);
    await q.query(`CREATE INDEX relationship_request_partner_idx ON relationship_request (partner_id, created_at, id)`);
    await q.query(`ALTER TABLE audit_record ALTER COLUMN actor_user_id DROP NOT NULL`);
    await q.query(`ALTER TABLE purchase_permission DROP CONSTRAINT IF EXISTS purchase_permission_granted_by_fkey`);
    await q.query(`CREATE INDEX indirect_relationship_provider_idx ON indirect_relationship (provider_id, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS indirect_relationship_provider_idx`);
    await q.query(`DROP TABLE IF EXISTS relationship_request`);
  }
}
