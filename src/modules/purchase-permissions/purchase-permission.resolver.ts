import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { RequestContext } from "../../auth/context";
import { Customer } from "../customers/customer.entity";
import { PartnerUser } from "../partners/partner.entity";
import { Subscription } from "../subscriptions/subscription.entity";
import { PurchasePermission } from "./purchase-permission.entity";

@Resolver(() => PurchasePermission)
export class PurchasePermissionResolver {
  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() permission: PurchasePermission, @Ctx() ctx: RequestContext) {
    return ctx.services.customers.byId(ctx, permission.customerId);
  }

  @FieldResolver(() => Subscription, { nullable: true, description: "The Azure plan the purchases are billed on." })
  subscription(@Root() permission: PurchasePermission, @Ctx() ctx: RequestContext) {
    return ctx.services.subscriptions.byId(ctx, permission.subscriptionId);
  }

  @FieldResolver(() => PartnerUser, { nullable: true })
  grantedBy(@Root() permission: PurchasePermission, @Ctx() ctx: RequestContext) {
    return ctx.services.partners.visibleUser(ctx, permission.grantedById);
  }
}
