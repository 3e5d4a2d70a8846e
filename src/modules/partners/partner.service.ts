import { DataSource, In } from "typeorm";
import { requireViewer, RequestContext } from "../../auth/context";
import { alignOne } from "../../graphql/loaders";
import { Partner, PartnerUser } from "./partner.entity";
import { Cloud, PartnerType } from "./partner.enums";

/** Who the caller's partner is and whose customers it sees besides its own. */
export interface PartnerScope {
  partner: Partner;
  /** Resellers linked ACTIVE to the caller (a provider): their customers are visible, read-only. */
  linkedResellerIds: string[];
}

export class PartnerService {
  constructor(private readonly dataSource: DataSource) {}

  /** Partners by id, batched per request. */
  private partnerLoader(ctx: RequestContext) {
    return ctx.loaders.get<string, Partner | null>("partner.byId", async (ids) =>
      alignOne(ids, await this.dataSource.getRepository(Partner).findBy({ id: In([...ids]) }), (p) => p.id),
    );
  }

  /** Any partner by id, unscoped: for the services' own rule checks, never returned as is. */
  async byId(ctx: RequestContext, id: string): Promise<Partner | null> {
    return this.partnerLoader(ctx).load(id);
  }

  /** The caller's own partner. */
  async current(ctx: RequestContext): Promise<Partner> {
    return (await this.scope(ctx)).partner;
  }

  /**
   * The caller's partner and its ACTIVE linked resellers, in one statement per
   * request: customer visibility depends on both.
   */
  scope(ctx: RequestContext): Promise<PartnerScope> {
    const viewer = requireViewer(ctx);
    return ctx.loaders
      .get<string, PartnerScope>("partner.scope", async (ids) => {
        const rows: { id: string; resellers: string[] }[] = await this.dataSource.query(
          `SELECT p.id, CASE WHEN p.type = 'INDIRECT_PROVIDER'
                    THEN ARRAY(SELECT l.reseller_id FROM indirect_relationship l WHERE l.provider_id = p.id AND l.status = 'ACTIVE' ORDER BY l.reseller_id)
                    ELSE '{}'::uuid[] END AS resellers,
                  p.name, p.mpn_id, p.type, p.cloud, p.country, p.region, p.mpa_signed, p.created_at
             FROM partner p WHERE p.id = ANY($1::uuid[])`,
          [[...ids]],
        );
        return ids.map((id) => {
          const row = rows.find((r) => r.id === id) as Record<string, never> | undefined;
          if (!row) return new Error(`partner ${id} of a verified token does not exist`);
          const partner = this.dataSource.getRepository(Partner).create({
            id,
            name: row.name,
            mpnId: row.mpn_id,
            type: row.type,
            cloud: row.cloud,
            country: row.country,
            region: row.region,
            mpaSigned: row.mpa_signed,
            createdAt: row.created_at,
          });
          this.partnerLoader(ctx).prime(id, partner);
          return { partner, linkedResellerIds: row.resellers ?? [] };
        });
      })
      .load(viewer.partnerId);
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

  static isProvider(partner: Partner): boolean {
    return partner.type === PartnerType.INDIRECT_PROVIDER;
  }

  /** The signed-in user as stored, with the roles its token carries (they decide what it may do). */
  async currentUser(ctx: RequestContext): Promise<PartnerUser> {
    const viewer = requireViewer(ctx);
    const stored = await this.visibleUser(ctx, viewer.userId);
    const user = stored ?? Object.assign(new PartnerUser(), { id: viewer.userId, partnerId: viewer.partnerId, email: viewer.email ?? "", displayName: viewer.email ?? "" });
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
