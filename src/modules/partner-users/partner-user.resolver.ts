import { Arg, Args, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { RequestContext } from "../../auth/context";
import { runMutation } from "../../graphql/mutation";
import { ConnectionArgs, ConnectionType } from "../../graphql/relay";
import { PartnerUser } from "../partners/partner.entity";
import { PartnerUserFilter, PartnerUserRolesSetInput, PartnerUserRolesSetPayload } from "./partner-user.inputs";

export const PartnerUserConnection = ConnectionType(PartnerUser, "PartnerUser");

@Resolver(() => PartnerUser)
export class PartnerUserResolver {
  @Query(() => PartnerUserConnection, {
    nullable: true,
    description: "The users of the caller's partner in email order, with their stored roles (Global admins, User management admins, Referrals admins; null with a FORBIDDEN error for other roles).",
  })
  partnerUsers(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg("filter", () => PartnerUserFilter, { nullable: true }) filter: PartnerUserFilter | null,
    @Ctx() ctx: RequestContext,
  ) {
    return ctx.services.partnerUsers.list(ctx, filter, args);
  }

  @Mutation(() => PartnerUserRolesSetPayload, {
    nullable: true,
    description:
      "Replace a user's roles (Global admins, User management admins). A role taken away stops working on the user's next request, whatever its token says; the partner always keeps a Global admin (LAST_GLOBAL_ADMIN).",
  })
  partnerUserRolesSet(@Arg("input", () => PartnerUserRolesSetInput) input: PartnerUserRolesSetInput, @Ctx() ctx: RequestContext) {
    return runMutation<PartnerUserRolesSetPayload>(input, () => ctx.services.partnerUsers.setRoles(ctx, input), { user: null });
  }
}
