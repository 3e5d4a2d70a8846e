import { Ctx, Field, ObjectType, Query, Resolver } from "type-graphql";
import { RequestContext } from "../../auth/context";
import { Partner, PartnerUser } from "./partner.entity";

@ObjectType({ simpleResolvers: true, description: "The signed-in user and its partner." })
export class Viewer {
  @Field(() => PartnerUser)
  user: PartnerUser;

  @Field(() => Partner)
  partner: Partner;
}

@Resolver()
export class ViewerResolver {
  @Query(() => Viewer)
  async viewer(@Ctx() ctx: RequestContext): Promise<Viewer> {
    const [user, partner] = await Promise.all([ctx.services.partners.currentUser(ctx), ctx.services.partners.current(ctx)]);
    return { user, partner };
  }
}
