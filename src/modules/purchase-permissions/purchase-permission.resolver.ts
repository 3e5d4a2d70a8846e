import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { RequestContext } from "../../auth/context";
import { runMutation } from "../../graphql/mutation";
import { Customer } from "../customers/customer.entity";
import { PartnerUser } from "../partners/partner.entity";
import { Subscription } from "../subscriptions/subscription.entity";
import { PurchasePermission } from "./purchase-permission.entity";
import { PurchasePermissionGrantInput, PurchasePermissionGrantPayload, PurchasePermissionRevokeInput, PurchasePermissionRevokePayload } from "./purchase-permission.inputs";

@Resolver(() => PurchasePermission)
export class PurchasePermissionResolver {
  @Mutation(() => PurchasePermissionGrantPayload, { nullable: true, description: "Let a customer buy a resource itself on an active Azure plan (Admin agents)." })
  purchasePermissionGrant(@Arg("input", () => PurchasePermissionGrantInput) input: PurchasePermissionGrantInput, @Ctx() ctx: RequestContext) {
    return runMutation<PurchasePermissionGrantPayload>(input, () => ctx.services.purchasePermissions.grant(ctx, input));
  }

  @Mutation(() => PurchasePermissionRevokePayload, { nullable: true, description: "Take a purchase permission back (Admin agents); the audit log keeps it." })
  purchasePermissionRevoke(@Arg("input", () => PurchasePermissionRevokeInput) input: PurchasePermissionRevokeInput, @Ctx() ctx: RequestContext) {
    return runMutation<PurchasePermissionRevokePayload>(input, () => ctx.services.purchasePermissions.revoke(ctx, input));
  }

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
