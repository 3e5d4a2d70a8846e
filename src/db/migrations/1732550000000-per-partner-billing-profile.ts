import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Each partner's billing profile of a customer becomes its own: a tenant may
 * be served by several partners, and until now one partner's edit of the
 * shared `customer` row changed what the others read (with no record in their
 * audit logs). The profile, its version (the etag) and its updated_at move to
 * `customer_relationship`, backfilled from the customer's columns. Those
 * columns stay as the tenant's registration data (the values given when the
 * tenant was created, or the last edit before this migration), which
 * `customer_registration_billing_profile` copies into every new relationship.
 * `customer.version` and `customer.updated_at` stay for the tenant row itself.
 */
export class PerPartnerBillingProfile1732550000000 implements MigrationInterface {
  name = "PerPartnerBillingProfile1732550000000";

  async up(q: QueryRunner): Promise<void> {
    // the one mapping from the customer's registration columns to a billing profile (the shape `Customer.billingProfile` shows)
    await q.query(`
      CREATE FUNCTION customer_registration_billing_profile(c customer) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
        SELECT jsonb_build_object(
          'companyName', c.company_name, 'firstName', c.billing_first_name, 'lastName', c.billing_last_name,
          'email', c.billing_email, 'phoneNumber', c.billing_phone_number, 'culture', c.culture, 'language', c.language,
          'address', jsonb_build_object('addressLine1', c.address_line1, 'addressLine2', c.address_line2, 'city', c.city,
                                        'state', c.state, 'postalCode', c.postal_code, 'country', c.country))
      $$`);
    await q.query(`
      ALTER TABLE customer_relationship
        ADD COLUMN billing_profile jsonb,
        ADD COLUMN version integer NOT NULL DEFAULT 1,
        ADD COLUMN updated_at timestamptz(3) NOT NULL DEFAULT now()`);
    await q.query(`
      UPDATE customer_relationship r
         SET billing_profile = customer_registration_billing_profile(c), version = c.version, updated_at = c.updated_at
        FROM customer c WHERE c.id = r.customer_id`);
    await q.query(`ALTER TABLE customer_relationship ALTER COLUMN billing_profile SET NOT NULL`);
    await q.query(`
      ALTER TABLE customer_relationship ADD CONSTRAINT customer_relationship_billing_profile_check
        CHECK (jsonb_typeof(billing_profile -> 'address') = 'object' AND (billing_profile #>> '{address,country}') IS NOT NULL)`);
    // the country filter and the UPDATED_AT order now read the viewer's relationship
    await q.query(`CREATE INDEX customer_relationship_partner_country_idx ON customer_relationship (partner_id, (billing_profile #>> '{address,country}')) WHERE status = 'ACTIVE'`);
    await q.query(`CREATE INDEX customer_relationship_partner_updated_at_idx ON customer_relationship (partner_id, updated_at, customer_id) WHERE status = 'ACTIVE'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS customer_relationship_partner_updated_at_idx`);
    await q.query(`DROP INDEX IF EXISTS customer_relationship_partner_country_idx`);
    await q.query(`ALTER TABLE customer_relationship DROP CONSTRAINT IF EXISTS customer_relationship_billing_profile_check`);
    await q.query(`ALTER TABLE customer_relationship DROP COLUMN IF EXISTS updated_at, DROP COLUMN IF EXISTS version, DROP COLUMN IF EXISTS billing_profile`);
    await q.query(`DROP FUNCTION IF EXISTS customer_registration_billing_profile(customer)`);
  }
}
