import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Stored roles become the authority over what a token's roles may still do:
 * `roles_changed_at` is when `partnerUserRolesSet` last changed a user's roles
 * (null: never). A token issued before it keeps only the roles still stored
 * (src/auth/tokens.ts, `effectiveRoles`). The index serves `partnerUsers`
 * (a partner's users in email order, filtered by role).
 */
export class PartnerUserRoles1732610000000 implements MigrationInterface {
  name = "PartnerUserRoles1732610000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE partner_user ADD COLUMN roles_changed_at timestamptz`);
    await q.query(`CREATE INDEX partner_user_roles_idx ON partner_user USING gin (roles)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX partner_user_roles_idx`);
    await q.query(`ALTER TABLE partner_user DROP COLUMN roles_changed_at`);
  }
}
