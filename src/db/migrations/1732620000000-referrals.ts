import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Referrals: one row per lead, seen by both partners. `status` stores NEW,
 * ACTIVE or CLOSED and `substatus` what an answer decided (ACCEPTED, WON, LOST,
 * DECLINED); what depends on the viewer (PENDING / RECEIVED) or on time
 * (EXPIRED, 14 days after creation) is never stored. Each partner assigns its
 * own side (`from_assigned_to`, `to_assigned_to`). The two partner indexes
 * serve the list in every order it offers (an OR of the two sides).
 */
export class Referrals1732620000000 implements MigrationInterface {
  name = "Referrals1732620000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE referral (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        from_partner_id uuid NOT NULL REFERENCES partner(id),
        to_partner_id uuid NOT NULL REFERENCES partner(id),
        name text NOT NULL,
        customer_name text NOT NULL,
        contact_first_name text,
        contact_last_name text,
        contact_email text NOT NULL,
        contact_phone_number text,
        deal_value_amount numeric(17, 2) CHECK (deal_value_amount >= 0),
        deal_value_currency char(3) CHECK (deal_value_currency ~ '^[A-Z]{3}$'),
        notes text,
        status text NOT NULL CHECK (status IN ('NEW', 'ACTIVE', 'CLOSED')),
        substatus text CHECK (substatus IN ('ACCEPTED', 'WON', 'LOST', 'DECLINED')),
        deal_name text,
        expected_close_date timestamptz(3),
        response_notes text,
        decline_reason text,
        close_reason text,
        from_assigned_to uuid REFERENCES partner_user(id),
        to_assigned_to uuid REFERENCES partner_user(id),
        created_by uuid NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL,
        responded_at timestamptz(3),
        closed_at timestamptz(3),
        CHECK (from_partner_id <> to_partner_id),
        CHECK (expires_at > created_at),
        CHECK ((deal_value_amount IS NULL) = (deal_value_currency IS NULL)),
        CHECK ((status = 'NEW' AND substatus IS NULL)
            OR (status = 'ACTIVE' AND substatus = 'ACCEPTED')
            OR (status = 'CLOSED' AND substatus IN ('WON', 'LOST', 'DECLINED')))
      )`);
    await q.query(`CREATE INDEX referral_from_partner_idx ON referral (from_partner_id, created_at, id)`);
    await q.query(`CREATE INDEX referral_to_partner_idx ON referral (to_partner_id, created_at, id)`);
    await q.query(`CREATE INDEX referral_from_assignee_idx ON referral (from_assigned_to) WHERE from_assigned_to IS NOT NULL`);
    await q.query(`CREATE INDEX referral_to_assignee_idx ON referral (to_assigned_to) WHERE to_assigned_to IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS referral`);
  }
}
