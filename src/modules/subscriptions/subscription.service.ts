import crypto from "node:crypto";
import { DataSource, EntityManager, SelectQueryBuilder } from "typeorm";
import { requireViewer, RequestContext } from "../../auth/context";
import { UserError, userError, UserErrorCode, UserErrors } from "../../graphql/errors";
import { alignOne } from "../../graphql/loaders";
import { Connection, ConnectionArgs, countByParent, encodeGlobalId, idOfType, paginateByParent, SortOrder } from "../../graphql/relay";
import { AuditService } from "../audit/audit.service";
import { Customer } from "../customers/customer.entity";
import { CustomerService } from "../customers/customer.service";
import { clean } from "../customers/customer.validation";
import { IdempotencyService } from "../idempotency/idempotency.service";
import { CustomerRelationship } from "../relationships/customer-relationship.entity";
import { RelationshipStatus } from "../relationships/relationship.enums";
import { Subscription } from "./subscription.entity";
import { subscriptionVisibility } from "./subscription.scope";
import { SubscriptionStatus } from "./subscription.enums";
import { SubscriptionCreateInput, SubscriptionIdInput } from "./subscription.inputs";

/** Subscriptions oldest first (both read paths). */
export const BY_CREATION: SortOrder<Subscription> = {
  name: "CREATED_AT",
  column: "s.created_at",
  idColumn: "s.id",
  direction: "ASC",
  value: (s) => s.createdAt,
  id: (s) => s.id,
};

/** Which status each state-changing mutation moves from and to. */
const TRANSITIONS = {
  suspend: { from: SubscriptionStatus.ACTIVE, to: SubscriptionStatus.SUSPENDED, operationType: "suspend_subscription" },
  reactivate: { from: SubscriptionStatus.SUSPENDED, to: SubscriptionStatus.ACTIVE, operationType: "reactivate_subscription" },
} as const;

function snapshot(s: Subscription): Record<string, unknown> {
  return { id: encodeGlobalId("Subscription", s.id), offerName: s.offerName, kind: s.kind, quantity: s.quantity, status: s.status };
}

export class SubscriptionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly customers: CustomerService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** The caller's partner's subscriptions of customers it actively serves. */
  private scoped(ctx: RequestContext, manager?: EntityManager): SelectQueryBuilder<Subscription> {
    const viewer = requireViewer(ctx);
    return (manager ?? this.dataSource.manager)
      .getRepository(Subscription)
      .createQueryBuilder("s")
      .where(subscriptionVisibility("s", ":viewerPartnerId"), { viewerPartnerId: viewer.partnerId });
  }

  private byIdLoader(ctx: RequestContext) {
    return ctx.loaders.get<string, Subscription | null>("subscription.byId", async (ids) =>
      alignOne(ids, await this.scoped(ctx).andWhere("s.id IN (:...ids)", { ids: [...ids] }).getMany(), (s) => s.id),
    );
  }

  byId(ctx: RequestContext, id: string): Promise<Subscription | null> {
    return this.byIdLoader(ctx).load(id);
  }

  /** Another module read this subscription of the caller's partner (e.g. a permission's plan): later reads need no statement. */
  prime(ctx: RequestContext, subscription: Subscription): void {
    this.byIdLoader(ctx).prime(subscription.id, subscription);
  }

  /** `Customer.subscriptions` for a page of customers: one statement for all of them. */
  forCustomer(ctx: RequestContext, customerId: string, args: ConnectionArgs): Promise<Connection<Subscription>> {
    return ctx.loaders
      .get<string, Connection<Subscription>>(`subscription.byCustomer:${JSON.stringify(args)}`, async (customerIds) => {
        const pages = await paginateByParent(this.scoped(ctx), "s.customer_id", (s) => s.customerId, customerIds, args, BY_CREATION, (id) =>
          ctx.loaders.get<string, number>("subscription.countByCustomer", (ids) => countByParent(this.scoped(ctx), "s.customer_id", ids)).load(id),
        );
        // e.g. PurchasePermission.subscription then finds these without a statement
        for (const page of pages.values()) for (const subscription of page.nodes) this.byIdLoader(ctx).prime(subscription.id, subscription);
        return customerIds.map((id) => pages.get(id)!);
      })
      .load(customerId);
  }

  async create(ctx: RequestContext, input: SubscriptionCreateInput): Promise<{ subscription: Subscription }> {
    const viewer = requireViewer(ctx);
    const outcome = await this.dataSource.transaction((manager) =>
      this.idempotency.run(manager, ctx, "subscriptionCreate", input.idempotencyKey, input, async () => {
        const problems: UserError[] = [];
        // lock the relationship so a concurrent removal waits for this sale (and sees it)
        let customer: Customer | null = null;
        try {
          customer = (await this.customers.lockOwnRelationship(manager, ctx, input.customerId, ["customerId"], "pessimistic_read")).customer;
        } catch (error) {
          if (!(error instanceof UserErrors)) throw error;
          problems.push(...error.errors);
        }
        const offerName = clean(input.offerName);
        if (offerName === null) problems.push(userError(UserErrorCode.REQUIRED, "Offer name is required.", ["offerName"]));
        else if (offerName.length > 200) problems.push(userError(UserErrorCode.TOO_LONG, "Offer name has at most 200 characters.", ["offerName"]));
        if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > 100000) {
          problems.push(userError(UserErrorCode.INVALID, "Quantity is a whole number from 1 to 100000.", ["quantity"]));
        }
        if (problems.length > 0) throw new UserErrors(problems);
        const id = crypto.randomUUID();
        await manager.insert(Subscription, {
          id,
          customerId: customer!.id,
          partnerId: viewer.partnerId,
          offerName: offerName!,
          kind: input.kind,
          quantity: input.quantity,
          status: SubscriptionStatus.ACTIVE,
        });
        const subscription = await manager.getRepository(Subscription).findOneByOrFail({ id });
        await this.audit.record(manager, ctx, { operationType: "create_subscription", resourceType: "subscription", customerId: customer!.id, newValue: snapshot(subscription) });
        return { result: subscription, stored: { subscriptionId: id } };
      }),
    );
    ctx.loaders.clearAll();
    return { subscription: await this.idempotency.created(outcome, "subscriptionId", (id) => this.byId(ctx, id), "subscription") };
  }

  /**
   * Inside another module's transaction (a relationship removal, which holds
   * the relationship row FOR UPDATE): the caller's partner's ACTIVE
   * subscriptions of a customer, oldest first, locked FOR UPDATE.
   */
  lockActiveOf(manager: EntityManager, ctx: RequestContext, customerId: string): Promise<Subscription[]> {
    const viewer = requireViewer(ctx);
    return manager
      .getRepository(Subscription)
      .createQueryBuilder("s")
      .where("s.partner_id = :partnerId AND s.customer_id = :customerId AND s.status = :active", { partnerId: viewer.partnerId, customerId, active: SubscriptionStatus.ACTIVE })
      .orderBy("s.created_at", "ASC")
      .addOrderBy("s.id", "ASC")
      .setLock("pessimistic_write")
      .getMany();
  }

  /**
   * Suspends subscriptions `lockActiveOf` returned, inside the caller's
   * transaction, each with the record `subscriptionSuspend` writes (the
   * change feed of resource type `subscription` sees every suspension).
   * Returns them as they are now, in the order given.
   */
  async suspendWithin(manager: EntityManager, ctx: RequestContext, subscriptions: Subscription[]): Promise<Subscription[]> {
    if (subscriptions.length === 0) return [];
    const step = TRANSITIONS.suspend;
    const ids = subscriptions.map((s) => s.id);
    await manager.createQueryBuilder().update(Subscription).set({ status: step.to, updatedAt: () => "now()" }).whereInIds(ids).execute();
    const updated = new Map((await manager.getRepository(Subscription).createQueryBuilder("s").whereInIds(ids).getMany()).map((s) => [s.id, s]));
    const suspended = subscriptions.map((s) => updated.get(s.id)!);
    for (const [i, current] of subscriptions.entries()) {
      await this.audit.record(manager, ctx, {
        operationType: step.operationType,
        resourceType: "subscription",
        customerId: current.customerId,
        oldValue: snapshot(current),
        newValue: snapshot(suspended[i]!),
      });
    }
    return suspended;
  }

  suspend(ctx: RequestContext, input: SubscriptionIdInput): Promise<{ subscription: Subscription }> {
    return this.transition(ctx, input, TRANSITIONS.suspend);
  }

  reactivate(ctx: RequestContext, input: SubscriptionIdInput): Promise<{ subscription: Subscription }> {
    return this.transition(ctx, input, TRANSITIONS.reactivate);
  }

  private async transition(
    ctx: RequestContext,
    input: SubscriptionIdInput,
    step: (typeof TRANSITIONS)[keyof typeof TRANSITIONS],
  ): Promise<{ subscription: Subscription }> {
    const subscription = await this.dataSource.transaction(async (manager) => {
      const id = idOfType(input.id, "Subscription");
      const current = id ? await this.scoped(ctx, manager).andWhere("s.id = :id", { id }).setLock("pessimistic_write", undefined, ["s"]).getOne() : null;
      if (!current) throw UserErrors.of(UserErrorCode.NOT_FOUND, "No subscription of yours has this id.", ["id"]);
      if (current.status !== step.from) {
        throw UserErrors.of(UserErrorCode.INVALID_STATE_TRANSITION, `A ${current.status} subscription cannot become ${step.to}; only ${step.from} ones can.`, ["id"]);
      }
      await manager.update(Subscription, { id: current.id }, { status: step.to, updatedAt: () => "now()" });
      const updated = await manager.getRepository(Subscription).findOneByOrFail({ id: current.id });
      await this.audit.record(manager, ctx, {
        operationType: step.operationType,
        resourceType: "subscription",
        customerId: current.customerId,
        oldValue: snapshot(current),
        newValue: snapshot(updated),
      });
      return updated;
    });
    ctx.loaders.clearAll();
    return { subscription };
  }
}
