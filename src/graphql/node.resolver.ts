import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { NODE_TYPES } from "../auth/field-rules";
import { hasCapability } from "../auth/permissions";
import { requireViewer, RequestContext } from "../auth/context";
import { badUserInput, forbidden } from "./errors";
import { decodeGlobalId, MAX_NODES, Node } from "./relay";


async function fetchNode(ctx: RequestContext, globalId: string): Promise<Node | null> {
  const viewer = requireViewer(ctx);
  const decoded = decodeGlobalId(globalId);
  const type = decoded && NODE_TYPES.get(decoded.type);
  if (!decoded || !type) return null;
  if (type.read !== "authenticated" && !hasCapability(viewer.roles, type.read)) throw forbidden(`Your roles may not read ${decoded.type} objects.`);
  return type.fetch(ctx, decoded.id);
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
