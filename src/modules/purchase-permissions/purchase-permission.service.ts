import crypto from "node:crypto";
import { DataSource, EntityManager } from "typeorm";
import { requireViewer, RequestContext } from "../../auth/context";
import { UserErrorCode, UserErrors } from "../../graphql/errors";
import { alignMany } from "../../graphql/loaders";
import { encodeGlobalId, idOfType } from "../../graphql/relay";
import { AuditService } from "../audit/audit.service";
import { CustomerService } from "../customers/customer.service";
import { IdempotencyService } from "../idempotency/idempotency.service";
import { CustomerRelationship } from "../relationships/customer-relationship.entity";
import { Subscription } from "../subscriptions/subscription.entity";
import { SubscriptionService } from "../subscriptions/subscription.service";
import { SubscriptionKind, SubscriptionStatus } from "../subscriptions/subscription.enums";
import { purchasePermissionVisibility } from "./purchase-permission.scope";
import { PurchasePermissionGrantInput, PurchasePermissionRevokeInput } from "./purchase-permission.inputs";
import { PurchasePermission } from "./purchase-permission.entity";

function snapshot(p: PurchasePermission): Record<string, unknown> {
  return {
    id: encodeGlobalId("PurchasePermission", p.id),
    resource: p.resource,
    action: p.action,
    subscriptionId: encodeGlobalId("Subscription", p.subscriptionId),
    grantedBy: encodeGlobalId("PartnerUser", p.grantedById),
  };
}

/**
 * "Let the customer buy its own": grants on an active Azure plan. Grants and
 * revokes of one customer serialise on the partner's relationship row, so
 * racing calls leave the table and the audit log in the same order.
 */
export class PurchasePermissionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly customers: CustomerService,
    private readonly subscriptions: SubscriptionService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** A grant of the caller's partner to a customer it actively serves. */
  async byId(ctx: RequestContext, id: string, manager?: EntityManager): Promise<PurchasePermission | null> {
    const viewer = requireViewer(ctx);
    return (manager ?? this.dataSource.manager)
      .getRepository(PurchasePermission)
      .createQueryBuilder("pp")
      .innerJoin(CustomerRelationship, "pprel", "pprel.customer_id = pp.customer_id AND pprel.partner_id = pp.partner_id AND pprel.status = 'ACTIVE'")
      .where("pp.partner_id = :partnerId AND pp.id = :id", { partnerId: viewer.partnerId, id })
      .getOne();
  }

  /** The caller's partner's grants to a customer (a bounded list), batched per request. */
  forCustomer(ctx: RequestContext, customerId: string): Promise<PurchasePermission[]> {
    const viewer = requireViewer(ctx);
    return ctx.loaders
      .get<string, PurchasePermission[]>("purchasePermission.byCustomer", async (ids) => {
        const rows = await this.dataSource
          .getRepository(PurchasePermission)
          .createQueryBuilder("pp")
          .innerJoinAndMapOne("pp.plan", Subscription, "plan", "plan.id = pp.subscription_id")
          .where(`${purchasePermissionVisibility("pp", ":partnerId")} AND pp.customer_id IN (:...ids)`, { partnerId: viewer.partnerId, ids: [...ids] })
          .orderBy("pp.granted_at", "ASC")
          .addOrderBy("pp.id", "ASC")
          .getMany();
        // `PurchasePermission.subscription` then needs no statement of its own
        for (const permission of rows) this.subscriptions.prime(ctx, permission.plan!);
        return alignMany(ids, rows, (pp) => pp.customerId);
      })
      .load(customerId);
  }

  async grant(ctx: RequestContext, input: PurchasePermissionGrantInput): Promise<{ purchasePermission: PurchasePermission }> {
    const viewer = requireViewer(ctx);
    const outcome = await this.dataSource.transaction((manager) =>
      this.idempotency.run(manager, ctx, "purchasePermissionGrant", input.idempotencyKey, input, async () => {
        const { customer } = await this.customers.lockOwnRelationship(manager, ctx, input.customerId, ["customerId"], "pessimistic_write");
        const plans = manager
          .getRepository(Subscription)
          .createQueryBuilder("s")
          .where("s.partner_id = :partnerId AND s.customer_id = :customerId AND s.kind = :plan AND s.status = :active", {
            partnerId: viewer.partnerId,
            customerId: customer.id,
            plan: SubscriptionKind.AZURE_PLAN,
            active: SubscriptionStatus.ACTIVE,
          });
        let plan: Subscription | null;
        if (input.subscriptionId) {
          const subscriptionId = idOfType(input.subscriptionId, "Subscription");
          plan = subscriptionId ? await plans.andWhere("s.id = :subscriptionId", { subscriptionId }).getOne() : null;
          if (!plan) throw UserErrors.of(UserErrorCode.NO_AZURE_PLAN, "This is not an active Azure plan subscription of this customer.", ["subscriptionId"]);
        } else {
          plan = await plans.orderBy("s.created_at", "ASC").addOrderBy("s.id", "ASC").getOne();
          if (!plan) throw UserErrors.of(UserErrorCode.NO_AZURE_PLAN, "The customer has no active Azure plan subscription from you; sell one first.", ["customerId"]);
        }
        const existing = await manager.getRepository(PurchasePermission).findOneBy({ partnerId: viewer.partnerId, customerId: customer.id, resource: input.resource });
        if (existing) throw UserErrors.of(UserErrorCode.ALREADY_GRANTED, `The customer may already buy ${input.resource}; revoke that permission first to change it.`, ["resource"]);
        const id = crypto.randomUUID();
        await manager.insert(PurchasePermission, { id, partnerId: viewer.partnerId, customerId: customer.id, subscriptionId: plan.id, resource: input.resource, grantedById: viewer.userId });
        const permission = await manager.getRepository(PurchasePermission).findOneByOrFail({ id });
        await this.audit.record(manager, ctx, { operationType: "create_self_serve_policy", resourceType: "purchase_permission", customerId: customer.id, newValue: snapshot(permission) });
        return { result: permission, stored: { purchasePermissionId: id } };
      }),
    );
    ctx.loaders.clearAll();
    return { purchasePermission: await this.idempotency.created(outcome, "purchasePermissionId", (id) => this.byId(ctx, id), "permission") };
  }

  /**
   * Inside another module's transaction that holds the customer's
   * relationship row FOR UPDATE (a relationship removal): deletes every grant
   * of the caller's partner to the customer, each with the record
   * `purchasePermissionRevoke` writes (`delete_self_serve_policy`). Returns
   * the grants as they were, oldest first.
   */
  async revokeAllWithin(manager: EntityManager, ctx: RequestContext, customerId: string): Promise<PurchasePermission[]> {
    const viewer = requireViewer(ctx);
    const revoked = await manager
      .getRepository(PurchasePermission)
      .createQueryBuilder("pp")
      .where("pp.partner_id = :partnerId AND pp.customer_id = :customerId", { partnerId: viewer.partnerId, customerId })
      .orderBy("pp.granted_at", "ASC")
      .addOrderBy("pp.id", "ASC")
      .setLock("pessimistic_write")
      .getMany();
    if (revoked.length === 0) return [];
    await manager.delete(PurchasePermission, revoked.map((p) => p.id));
    for (const permission of revoked) {
      await this.audit.record(manager, ctx, { operationType: "delete_self_serve_policy", resourceType: "purchase_permission", customerId: permission.customerId, oldValue: snapshot(permission) });
    }
    return revoked;
  }

  async revoke(ctx: RequestContext, input: PurchasePermissionRevokeInput): Promise<{ revokedPurchasePermissionId: string }> {
    const notFound = () => UserErrors.of(UserErrorCode.NOT_FOUND, "No purchase permission of yours has this id.", ["id"]);
    const revokedId = await this.dataSource.transaction(async (manager) => {
      const id = idOfType(input.id, "PurchasePermission");
      const found = id ? await this.byId(ctx, id, manager) : null;
      if (!found) throw notFound();
      // lock in the same order as grant (relationship first), then read again: a racing revoke may have won
      await this.customers.lockOwnRelationship(manager, ctx, encodeGlobalId("Customer", found.customerId), ["id"], "pessimistic_write");
      const current = await manager.getRepository(PurchasePermission).findOneBy({ id: found.id });
      if (!current) throw notFound();
      await manager.delete(PurchasePermission, { id: current.id });
      await this.audit.record(manager, ctx, { operationType: "delete_self_serve_policy", resourceType: "purchase_permission", customerId: current.customerId, oldValue: snapshot(current) });
      return encodeGlobalId("PurchasePermission", current.id);
    });
    ctx.loaders.clearAll();
    return { revokedPurchasePermissionId: revokedId };
  }
}
