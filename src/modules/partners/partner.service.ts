import { DataSource, In } from "typeorm";
import { requireViewer, RequestContext } from "../../auth/context";
import { alignOne } from "../../graphql/loaders";
import { Partner, PartnerUser } from "./partner.entity";

export class PartnerService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Partners a caller may see: its own and, for this issue, no other. Links to
   * indirect partners widen this in the relationships module.
   */
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
    const viewer = requireViewer(ctx);
    const partner = await this.byId(ctx, viewer.partnerId);
    if (!partner) throw new Error(`partner ${viewer.partnerId} of a verified token does not exist`);
    return partner;
  }

  /** Partners visible to the caller: its own (links to indirect partners come with the relationships issue). */
  async visibleById(ctx: RequestContext, id: string): Promise<Partner | null> {
    const viewer = requireViewer(ctx);
    if (id !== viewer.partnerId) return null;
    return this.byId(ctx, id);
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
