import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { hasCapability, NODE_READ_RULES } from "../auth/permissions";
import { requireViewer, RequestContext } from "../auth/context";
import { badUserInput, forbidden } from "./errors";
import { decodeGlobalId, Node } from "./relay";

const MAX_NODES = 100;

type Fetch = (ctx: RequestContext, id: string) => Promise<Node | null>;

/** Fetchers by type name; each applies its service's tenant scope. A Map: the type name comes from the caller (`constructor:<uuid>`). */
const FETCH = new Map<string, Fetch>([
  ["Customer", (ctx, id) => ctx.services.customers.byId(ctx, id)],
  ["Subscription", (ctx, id) => ctx.services.subscriptions.byId(ctx, id)],
  ["AuditRecord", (ctx, id) => ctx.services.audit.byId(ctx, id)],
  ["PurchasePermission", (ctx, id) => ctx.services.purchasePermissions.byId(ctx, id)],
  ["RelationshipRequest", (ctx, id) => ctx.services.relationships.byId(ctx, id)],
  ["IndirectRelationship", (ctx, id) => ctx.services.indirectRelationships.byId(ctx, id)],
  ["Partner", (ctx, id) => ctx.services.partners.visibleById(ctx, id)],
  ["PartnerUser", (ctx, id) => ctx.services.partners.visibleUser(ctx, id)],
]);

async function fetchNode(ctx: RequestContext, globalId: string): Promise<Node | null> {
  const viewer = requireViewer(ctx);
  const decoded = decodeGlobalId(globalId);
  const fetch = decoded && FETCH.get(decoded.type);
  if (!decoded || !fetch) return null;
  const rule = NODE_READ_RULES.get(decoded.type);
  if (rule !== "authenticated" && (!rule || !hasCapability(viewer.roles, rule))) throw forbidden(`Your roles may not read ${decoded.type} objects.`);
  return fetch(ctx, decoded.id);
}

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: "Any object by its global id; null when it does not exist or is not yours." })
  node(@Arg("id", () => ID) id: string, @Ctx() ctx: RequestContext) {
    return fetchNode(ctx, id);
  }

  @Query(() => [Node], { nullable: "items", description: `Up to ${MAX_NODES} objects by global id, in the order asked.` })
  nodes(@Arg("ids", () => [ID]) ids: string[], @Ctx() ctx: RequestContext) {
    if (ids.length > MAX_NODES) throw badUserInput(`\`ids\` holds at most ${MAX_NODES} ids; got ${ids.length}.`, "ids");
    return Promise.all(ids.map((id) => fetchNode(ctx, id).catch((error: unknown) => error)));
  }
}
