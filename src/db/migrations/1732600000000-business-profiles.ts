import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The business profile becomes editable (`businessProfileUpdate`): a version
 * for its etag, stored locations in the full `Location` shape, and the
 * bounds the API checks enforced by the database too, so no other writer can
 * store what the API would refuse.
 */
export class BusinessProfiles1732600000000 implements MigrationInterface {
  name = "BusinessProfiles1732600000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE business_profile ADD COLUMN version integer NOT NULL DEFAULT 1`);
    // rows written before this migration held only some keys of a location
    await q.query(`
      UPDATE business_profile SET locations = COALESCE((
        SELECT jsonb_agg(jsonb_build_object('name', COALESCE(l ->> 'name', ''), 'addressLine1', l ->> 'addressLine1', 'city', NULLIF(l ->> 'city', ''),
                                            'state', l ->> 'state', 'postalCode', l ->> 'postalCode', 'country', upper(l ->> 'country')) ORDER BY n)
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(locations) = 'array' THEN locations ELSE '[]' END) WITH ORDINALITY AS t(l, n)), '[]')`);
    await q.query(`
      ALTER TABLE business_profile
        ADD CONSTRAINT business_profile_description_check CHECK (char_length(description) <= 2500),
        ADD CONSTRAINT business_profile_lists_check CHECK (cardinality(industries) <= 20 AND cardinality(products) <= 20 AND cardinality(services) <= 20 AND cardinality(target_customer_sizes) <= 20),
        ADD CONSTRAINT business_profile_locations_check CHECK (jsonb_typeof(locations) = 'array' AND jsonb_array_length(locations) <= 5)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE business_profile
        DROP CONSTRAINT IF EXISTS business_profile_locations_check,
        DROP CONSTRAINT IF EXISTS business_profile_lists_check,
        DROP CONSTRAINT IF EXISTS business_profile_description_check,
        DROP COLUMN IF EXISTS version`);
  }
}
