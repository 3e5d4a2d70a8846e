import { DataSource } from "typeorm";
import { requireViewer, RequestContext } from "../../auth/context";
import { ALL_ROLES, PartnerRole } from "../../auth/roles";
import { USER_CACHE } from "../../auth/tokens";
import { UserError, userError, UserErrorCode, UserErrors } from "../../graphql/errors";
import { Connection, ConnectionArgs, encodeGlobalId, idOfType, paginate, SortOrder } from "../../graphql/relay";
import type { CacheBus } from "../../server/cache-bus";
import { AuditService } from "../audit/audit.service";
import { escapeLike } from "../customers/customer.scope";
import { PartnerUser } from "../partners/partner.entity";
import { PartnerUserFilter, PartnerUserRolesSetInput } from "./partner-user.inputs";

const BY_EMAIL: SortOrder<PartnerUser> = {
  name: "EMAIL",
  column: "u.email",
  idColumn: "u.id",
  direction: "ASC",
  value: (u) => u.email,
  id: (u) => u.id,
};

/** Roles in the enum's order: the stored form, so equal sets are equal arrays. */
function ordered(roles: Iterable<PartnerRole>): PartnerRole[] {
  const set = new Set(roles);
  return ALL_ROLES.filter((role) => set.has(role));
}

function snapshot(user: PartnerUser, roles: readonly PartnerRole[]): Record<string, unknown> {
  return { id: encodeGlobalId("PartnerUser", user.id), email: user.email, roles: [...roles] };
}

/**
 * A partner's users and their roles. Role changes of one partner serialise on
 * the partner row, so the check that a Global admin remains holds under
 * concurrent calls; a change drops the user's cached token checks on every
 * instance (CacheBus), so a role taken away stops working on the next request.
 */
export class PartnerUserService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly caches: CacheBus,
    private readonly audit: AuditService,
  ) {}

  list(ctx: RequestContext, filter: PartnerUserFilter | null | undefined, args: ConnectionArgs): Promise<Connection<PartnerUser>> {
    const viewer = requireViewer(ctx);
    const qb = this.dataSource.getRepository(PartnerUser).createQueryBuilder("u").where("u.partner_id = :viewerPartnerId", { viewerPartnerId: viewer.partnerId });
    if (filter?.role) qb.andWhere("u.roles @> ARRAY[:role]::text[]", { role: filter.role });
    const search = filter?.search?.trim();
    if (search) {
      qb.andWhere("(lower(u.email) LIKE :search OR lower(u.display_name) LIKE :search)", { search: `%${escapeLike(search.toLowerCase())}%` });
    }
    return paginate(qb, args, BY_EMAIL);
  }

  async setRoles(ctx: RequestContext, input: PartnerUserRolesSetInput): Promise<{ user: PartnerUser | null }> {
    const viewer = requireViewer(ctx);
    const errors: UserError[] = [];
    const roles = input.roles ?? [];
    if (roles.length === 0) errors.push(userError(UserErrorCode.REQUIRED, "Give the user at least one role.", ["roles"]));
    const seen = new Set<PartnerRole>();
    roles.forEach((role, index) => {
      if (seen.has(role)) errors.push(userError(UserErrorCode.INVALID, `${role} is listed more than once; list each role once.`, ["roles", index]));
      seen.add(role);
    });
    const userId = idOfType(input.userId, "PartnerUser");

    const { changed, id } = await this.dataSource.transaction(async (manager) => {
      // every role change of this partner waits here, so the count below sees the others' committed changes;
      // NO KEY UPDATE does not block inserts of rows that reference the partner (they take KEY SHARE)
      await manager.query(`SELECT 1 FROM partner WHERE id = $1 FOR NO KEY UPDATE`, [viewer.partnerId]);
      const user = userId
        ? await manager
            .getRepository(PartnerUser)
            .createQueryBuilder("u")
            .setLock("pessimistic_write")
            .where("u.id = :userId AND u.partner_id = :partnerId", { userId, partnerId: viewer.partnerId })
            .getOne()
        : null;
      if (!user) errors.push(userError(UserErrorCode.NOT_FOUND, "No user of your partner has this id.", ["userId"]));
      if (errors.length > 0 || !user) throw new UserErrors(errors);

      const before = ordered(user.roles);
      const after = ordered(roles);
      // a User management admin manages users, but may not make anyone (itself included) a Global admin or unmake one
      if (before.includes(PartnerRole.GLOBAL_ADMIN) !== after.includes(PartnerRole.GLOBAL_ADMIN) && !viewer.roles.has(PartnerRole.GLOBAL_ADMIN)) {
        throw UserErrors.of(UserErrorCode.GLOBAL_ADMIN_REQUIRED, "Only a Global admin may grant or take away the GLOBAL_ADMIN role.", ["roles"]);
      }
      if (before.includes(PartnerRole.GLOBAL_ADMIN) && !after.includes(PartnerRole.GLOBAL_ADMIN)) {
        const [{ others }] = await manager.query(
          `SELECT count(*)::int AS others FROM partner_user WHERE partner_id = $1 AND id <> $2 AND roles @> ARRAY['GLOBAL_ADMIN']::text[]`,
          [viewer.partnerId, user.id],
        );
        if (others === 0) {
          throw UserErrors.of(UserErrorCode.LAST_GLOBAL_ADMIN, "This is your partner's last Global admin: make another user a Global admin first.", ["roles"]);
        }
      }
      const changed = before.join() !== after.join();
      // clock_timestamp(): the moment of the change itself, after any wait for the lock (tokens issued before it lose revoked roles)
      if (changed) await manager.query(`UPDATE partner_user SET roles = $2, roles_changed_at = clock_timestamp() WHERE id = $1`, [user.id, after]);
      await this.audit.record(manager, ctx, {
        operationType: "update_partner_user_roles",
        resourceType: "partner_user",
        customerId: null,
        oldValue: snapshot(user, before),
        newValue: snapshot(user, after),
      });
      return { changed, id: user.id };
    });
    // after commit: every instance drops the user's cached token checks, and its next request reads the stored roles
    if (changed) await this.caches.invalidate(USER_CACHE, id);
    ctx.loaders.clearAll();
    return { user: await this.dataSource.getRepository(PartnerUser).findOneBy({ id, partnerId: viewer.partnerId }) };
  }
}
