import crypto from "node:crypto";
import { DataSource, EntityManager, QueryFailedError, SelectQueryBuilder } from "typeorm";
import { requireViewer, RequestContext } from "../../auth/context";
import { FieldPath, UserError, userError, UserErrorCode, UserErrors } from "../../graphql/errors";
import { alignOne } from "../../graphql/loaders";
import { Connection, ConnectionArgs, encodeGlobalId, idOfType, namedParameters, paginate, SortOrder } from "../../graphql/relay";
import { AuditService } from "../audit/audit.service";
import { IdempotencyService } from "../idempotency/idempotency.service";
import { Partner } from "../partners/partner.entity";
import { Cloud, PartnerType } from "../partners/partner.enums";
import { PartnerService } from "../partners/partner.service";
import { IndirectRelationship } from "./indirect-relationship.entity";
import { indirectRelationshipFilterConditions, indirectRelationshipVisibility, LinkSide } from "./indirect-relationship.scope";
import { IndirectRelationshipFilter, IndirectRelationshipIdInput, IndirectResellerInviteInput } from "./relationship.inputs";
import { IndirectRelationshipStatus } from "./relationship.enums";

/** Indirect links newest first (both read paths). */
export const LINKS_NEWEST_FIRST: SortOrder<IndirectRelationship> = {
  name: "INVITED_AT_DESC",
  column: "l.invited_at",
  idColumn: "l.id",
  direction: "DESC",
  value: (l) => l.invitedAt,
  id: (l) => l.id,
};

function snapshot(l: IndirectRelationship): Record<string, unknown> {
  return {
    id: encodeGlobalId("IndirectRelationship", l.id),
    providerId: encodeGlobalId("Partner", l.providerId),
    resellerId: encodeGlobalId("Partner", l.resellerId),
    status: l.status,
  };
}

export type { LinkSide } from "./indirect-relationship.scope";

/** Provider ↔ reseller links (DOMAIN.md, Indirect relationship). */
export class IndirectRelationshipService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly partners: PartnerService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** Links the caller's partner is a side of: the scope of every read. */
  private visible(ctx: RequestContext, manager?: EntityManager): SelectQueryBuilder<IndirectRelationship> {
    const viewer = requireViewer(ctx);
    return (manager ?? this.dataSource.manager)
      .getRepository(IndirectRelationship)
      .createQueryBuilder("l")
      .where(indirectRelationshipVisibility("l", ":viewerPartnerId"), { viewerPartnerId: viewer.partnerId });
  }

  byId(ctx: RequestContext, id: string): Promise<IndirectRelationship | null> {
    return ctx.loaders
      .get<string, IndirectRelationship | null>("indirectRelationship.byId", async (ids) =>
        alignOne(ids, await this.visible(ctx).andWhere("l.id IN (:...ids)", { ids: [...ids] }).getMany(), (l) => l.id),
      )
      .load(id);
  }

  /** `indirectResellers` (the caller is the provider) or `indirectProviders` (the caller is the reseller), newest first. */
  list(ctx: RequestContext, side: LinkSide, filter: IndirectRelationshipFilter | null | undefined, args: ConnectionArgs): Promise<Connection<IndirectRelationship>> {
    const viewer = requireViewer(ctx);
    const qb = this.dataSource.getRepository(IndirectRelationship).createQueryBuilder("l").where(indirectRelationshipVisibility("l", ":me", side), { me: viewer.partnerId });
    for (const condition of indirectRelationshipFilterConditions(filter, namedParameters(qb, "f"))) qb.andWhere(condition);
    return paginate(qb, args, LINKS_NEWEST_FIRST);
  }

  /**
   * For a provider's `indirectResellerId` (customerCreate, relationshipRequestCreate):
   * the id of an ACTIVE linked reseller, or a problem at `field`.
   */
  async activeResellerFor(manager: EntityManager, provider: Partner, globalId: string | null | undefined, field: FieldPath, problems: UserError[]): Promise<string | null> {
    if (!globalId) return null;
    if (provider.type !== PartnerType.INDIRECT_PROVIDER) {
      problems.push(userError(UserErrorCode.NOT_AN_INDIRECT_PROVIDER, "Only indirect providers act for a reseller.", field));
      return null;
    }
    const resellerId = idOfType(globalId, "Partner");
    const link = resellerId ? await this.lockActiveLink(manager, provider.id, resellerId) : null;
    if (!link) {
      problems.push(userError(UserErrorCode.NOT_FOUND, "No active indirect reseller of yours has this id.", field));
      return null;
    }
    return link.resellerId;
  }

  /** The ACTIVE link of a pair, locked against a concurrent removal until the caller's transaction ends. */
  lockActiveLink(manager: EntityManager, providerId: string, resellerId: string): Promise<IndirectRelationship | null> {
    return manager
      .getRepository(IndirectRelationship)
      .createQueryBuilder("l")
      .where("l.provider_id = :providerId AND l.reseller_id = :resellerId AND l.status = :active", { providerId, resellerId, active: IndirectRelationshipStatus.ACTIVE })
      .setLock("pessimistic_read")
      .getOne();
  }

  /**
   * A provider invites a reseller by MPN id. Checks run in API.md's order, the
   * first failure wins: reseller exists → is a reseller → cloud → region → agreement → no open link.
   */
  async invite(ctx: RequestContext, input: IndirectResellerInviteInput): Promise<{ indirectRelationship: IndirectRelationship }> {
    const provider = await this.partners.current(ctx);
    const field = ["resellerMpnId"];
    const outcome = await this.dataSource.transaction((manager) =>
      this.idempotency.run(manager, ctx, "indirectResellerInvite", input.idempotencyKey, input, async () => {
        const mpnId = input.resellerMpnId.trim();
        if (!/^[0-9]{1,12}$/.test(mpnId)) throw UserErrors.of(UserErrorCode.INVALID, "An MPN id is a string of 1 to 12 digits.", field);
        const reseller = await this.partners.byMpnIdInCloud(mpnId, provider.cloud);
        if (!reseller || reseller.id === provider.id) throw UserErrors.of(UserErrorCode.NOT_FOUND, `No partner with MPN id ${mpnId} is visible to you.`, field);
        if (reseller.type !== PartnerType.INDIRECT_RESELLER) {
          throw UserErrors.of(UserErrorCode.NOT_AN_INDIRECT_RESELLER, `${reseller.name} is a ${reseller.type} partner; only indirect resellers link to providers.`, field);
        }
        if (provider.cloud === Cloud.US_GOVERNMENT || reseller.cloud === Cloud.US_GOVERNMENT) {
          throw UserErrors.of(UserErrorCode.FEATURE_UNAVAILABLE_IN_CLOUD, "The indirect model does not exist in the US Government cloud.", field);
        }
        if (provider.type !== PartnerType.INDIRECT_PROVIDER) {
          throw UserErrors.of(UserErrorCode.NOT_AN_INDIRECT_PROVIDER, "Only indirect providers invite resellers.", null);
        }
        if (reseller.region !== provider.region) {
          throw UserErrors.of(UserErrorCode.REGION_MISMATCH, `${reseller.name} is in region ${reseller.region}; you serve ${provider.region}.`, field);
        }
        if (!reseller.mpaSigned) throw UserErrors.of(UserErrorCode.MPA_NOT_SIGNED, `${reseller.name} has not signed the partner agreement yet.`, field);
        const id = crypto.randomUUID();
        try {
          // the open-pair index decides races; the whole transaction rolls back with the user error
          await manager.insert(IndirectRelationship, { id, providerId: provider.id, resellerId: reseller.id, status: IndirectRelationshipStatus.PENDING });
        } catch (error) {
          if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === "23505") {
            throw UserErrors.of(UserErrorCode.ALREADY_EXISTS, `You already have a pending or active link with ${reseller.name}.`, field);
          }
          throw error;
        }
        const link = await manager.getRepository(IndirectRelationship).findOneByOrFail({ id });
        await this.audit.record(manager, ctx, { operationType: "invite_indirect_reseller", resourceType: "indirect_relationship", customerId: null, newValue: snapshot(link) });
        return { result: link, stored: { indirectRelationshipId: id } };
      }),
    );
    ctx.loaders.clearAll();
    return { indirectRelationship: await this.idempotency.created(outcome, "indirectRelationshipId", (id) => this.byId(ctx, id), "link") };
  }

  /** PENDING → ACTIVE, by the reseller (its Global admin; the shield checks the role). */
  authorize(ctx: RequestContext, input: IndirectRelationshipIdInput): Promise<{ indirectRelationship: IndirectRelationship }> {
    return this.transition(ctx, input, "reseller", [IndirectRelationshipStatus.PENDING], IndirectRelationshipStatus.ACTIVE, "authorize_indirect_provider");
  }

  /**
   * ACTIVE → REMOVED by the provider; a PENDING invitation may be withdrawn the
   * same way. Customer relationships stay as they are.
   */
  remove(ctx: RequestContext, input: IndirectRelationshipIdInput): Promise<{ indirectRelationship: IndirectRelationship }> {
    return this.transition(
      ctx,
      input,
      "provider",
      [IndirectRelationshipStatus.ACTIVE, IndirectRelationshipStatus.PENDING],
      IndirectRelationshipStatus.REMOVED,
      "remove_indirect_relationship",
    );
  }

  private async transition(
    ctx: RequestContext,
    input: IndirectRelationshipIdInput,
    actingSide: LinkSide,
    from: IndirectRelationshipStatus[],
    to: IndirectRelationshipStatus,
    operationType: string,
  ): Promise<{ indirectRelationship: IndirectRelationship }> {
    const viewer = requireViewer(ctx);
    const link = await this.dataSource.transaction(async (manager) => {
      const id = idOfType(input.id, "IndirectRelationship");
      const current = id ? await this.visible(ctx, manager).andWhere("l.id = :id", { id }).setLock("pessimistic_write").getOne() : null;
      if (!current) throw UserErrors.of(UserErrorCode.NOT_FOUND, "No indirect link of yours has this id.", ["id"]);
      const mySide: LinkSide = current.providerId === viewer.partnerId ? "provider" : "reseller";
      if (mySide !== actingSide) {
        throw UserErrors.of(UserErrorCode.INVALID, `Only the ${actingSide} of a link may do this; you are its ${mySide}.`, ["id"]);
      }
      if (!from.includes(current.status)) {
        throw UserErrors.of(UserErrorCode.INVALID_STATE_TRANSITION, `A ${current.status} link cannot become ${to}; only ${from.join(" or ")} ones can.`, ["id"]);
      }
      const at = new Date();
      await manager.update(IndirectRelationship, { id: current.id }, to === IndirectRelationshipStatus.ACTIVE ? { status: to, activatedAt: at } : { status: to, removedAt: at });
      const updated = await manager.getRepository(IndirectRelationship).findOneByOrFail({ id: current.id });
      await this.audit.record(manager, ctx, { operationType, resourceType: "indirect_relationship", customerId: null, oldValue: snapshot(current), newValue: snapshot(updated) });
      return updated;
    });
    ctx.loaders.clearAll();
    // the provider's lists name its linked resellers from a cache: every instance drops it
    await this.partners.invalidateLinkedResellers(link.providerId);
    return { indirectRelationship: link };
  }
}
