import { DataSource, In } from "typeorm";
import { requireViewer, RequestContext } from "../../auth/context";
import { alignOne } from "../../graphql/loaders";
import type { CacheBus } from "../../server/cache-bus";
import { Partner, PartnerUser } from "./partner.entity";
import { Cloud, PartnerType } from "./partner.enums";

/** How long a partner row read for display or a type check stays in the process cache. */
const PARTNER_CACHE_MS = 60_000;

export class PartnerService {
  /**
   * Partner rows by id. Nothing in the API changes a partner's name, MPN id,
   * type, cloud or region, so reads for display and type checks come from here
   * (refreshed after a minute) instead of costing a statement per request.
   * Whatever changes a partner row calls `invalidatePartner` (every instance drops it).
   */
  private readonly cache = new Map<string, { partner: Partner; at: number }>();

  /**
   * A provider's ACTIVE linked resellers, by provider id: customer lists name them so PostgreSQL can plan the page
   * from the ids (and re-check each link in the same statement). Ending or activating a link calls
   * `invalidateLinkedResellers` (every instance drops it, through Redis when configured); without Redis another
   * instance may keep a list for up to a minute, which can leave a new link's customers out, never show an ended one's.
   */
  private readonly linkCache = new Map<string, { ids: string[]; at: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly caches: CacheBus,
  ) {
    caches.register("partner", this.cache);
    caches.register("linkedResellers", this.linkCache);
  }

  /** Drops a provider's cached linked resellers on every instance (after a link of it changed status). */
  invalidateLinkedResellers(providerId: string): Promise<void> {
    return this.caches.invalidate("linkedResellers", providerId);
  }

  /** Drops a changed partner row from this cache on every instance. */
  invalidatePartner(id: string): Promise<void> {
    return this.caches.invalidate("partner", id);
  }

  /** Fresh partner rows by id, batched per request. */
  private partnerLoader(ctx: RequestContext) {
    return ctx.loaders.get<string, Partner | null>("partner.byId", async (ids) => {
      const rows = await this.dataSource.getRepository(Partner).findBy({ id: In([...ids]) });
      const at = Date.now();
      for (const partner of rows) this.cache.set(partner.id, { partner, at });
      return alignOne(ids, rows, (p) => p.id);
    });
  }

  /** Any partner by id, unscoped (display of linked partners, type checks), from the process cache when fresh. */
  byId(ctx: RequestContext, id: string): Partner | null | Promise<Partner | null> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < PARTNER_CACHE_MS) return hit.partner;
    return this.partnerLoader(ctx).load(id);
  }

  /** The caller's own partner as stored now (mutations check its cloud, region and type against it). */
  async current(ctx: RequestContext): Promise<Partner> {
    const viewer = requireViewer(ctx);
    const partner = await this.partnerLoader(ctx).load(viewer.partnerId);
    if (!partner) throw new Error(`partner ${viewer.partnerId} of a verified token does not exist`);
    return partner;
  }

  /**
   * The resellers linked ACTIVE to the caller when it is a provider (their
   * customers are in its view), from the process cache when fresh (`linkCache`):
   * a statement per minute at most, providers only. Callers re-check the links in SQL.
   */
  async linkedResellerIds(ctx: RequestContext): Promise<string[]> {
    if (!(await this.viewerIsProvider(ctx))) return [];
    const viewer = requireViewer(ctx);
    const hit = this.linkCache.get(viewer.partnerId);
    if (hit && Date.now() - hit.at < PARTNER_CACHE_MS) return hit.ids;
    const ids = await ctx.loaders
      .get<string, string[]>("partner.linkedResellers", async (ids) => {
        const rows: { provider_id: string; reseller_id: string }[] = await this.dataSource.query(
          `SELECT provider_id, reseller_id FROM indirect_relationship WHERE provider_id = ANY($1::uuid[]) AND status = 'ACTIVE' ORDER BY reseller_id`,
          [[...ids]],
        );
        return ids.map((id) => rows.filter((r) => r.provider_id === id).map((r) => r.reseller_id));
      })
      .load(viewer.partnerId);
    this.linkCache.set(viewer.partnerId, { ids, at: Date.now() });
    return ids;
  }

  /** Whether the caller's partner is an indirect provider (whose view includes its linked resellers' customers). */
  async viewerIsProvider(ctx: RequestContext): Promise<boolean> {
    const viewer = requireViewer(ctx);
    const partner = await this.byId(ctx, viewer.partnerId);
    if (!partner) throw new Error(`partner ${viewer.partnerId} of a verified token does not exist`);
    return partner.type === PartnerType.INDIRECT_PROVIDER;
  }

  /**
   * Partners visible to the caller: its own and those it holds an indirect
   * link with in any status (they appear on `indirectResellers` / `indirectProviders`).
   */
  async visibleById(ctx: RequestContext, id: string): Promise<Partner | null> {
    const viewer = requireViewer(ctx);
    if (id === viewer.partnerId) return this.byId(ctx, id);
    const linked = await ctx.loaders
      .get<string, boolean>("partner.linked", async (ids) => {
        const rows: { id: string }[] = await this.dataSource.query(
          `SELECT DISTINCT CASE WHEN l.provider_id = $1 THEN l.reseller_id ELSE l.provider_id END AS id
             FROM indirect_relationship l
            WHERE (l.provider_id = $1 AND l.reseller_id = ANY($2::uuid[])) OR (l.reseller_id = $1 AND l.provider_id = ANY($2::uuid[]))`,
          [viewer.partnerId, [...ids]],
        );
        const found = new Set(rows.map((r) => r.id));
        return ids.map((i) => found.has(i));
      })
      .load(id);
    return linked ? this.byId(ctx, id) : null;
  }

  /** A partner by MPN id in the caller's cloud: partners of the other cloud do not exist for it. */
  async byMpnIdInCloud(mpnId: string, cloud: Cloud): Promise<Partner | null> {
    return this.dataSource.getRepository(Partner).findOneBy({ mpnId, cloud });
  }

  /** The signed-in user as stored, with the roles in effect for its token (they decide what it may do; src/auth/tokens.ts `effectiveRoles`). */
  async currentUser(ctx: RequestContext): Promise<PartnerUser> {
    const viewer = requireViewer(ctx);
    const stored = await this.visibleUser(ctx, viewer.userId);
    // a copy: the loader's row keeps the stored roles for other fields of this request
    const user = stored
      ? Object.assign(new PartnerUser(), stored)
      : Object.assign(new PartnerUser(), { id: viewer.userId, partnerId: viewer.partnerId, email: viewer.email ?? "", displayName: viewer.email ?? "", createdAt: new Date(0), rolesChangedAt: null });
    user.roles = [...viewer.roles];
    return user;
  }

  /** A user of the caller's own partner. */
  async visibleUser(ctx: RequestContext, id: string): Promise<PartnerUser | null> {
    const viewer = requireViewer(ctx);
    const user = await ctx.loaders
      .get<string, PartnerUser | null>("partnerUser.byId", async (ids) =>
        alignOne(ids, await this.dataSource.getRepository(PartnerUser).findBy({ id: In([...ids]) }), (u) => u.id),
      )
      .load(id);
    return user && user.partnerId === viewer.partnerId ? user : null;
  }
}
