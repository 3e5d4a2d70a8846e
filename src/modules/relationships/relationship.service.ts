import crypto from "node:crypto";
import { DataSource, EntityManager, SelectQueryBuilder } from "typeorm";
import { requireViewer, RequestContext } from "../../auth/context";
import { UserError, userError, UserErrorCode, UserErrors } from "../../graphql/errors";
import { alignOne } from "../../graphql/loaders";
import { Connection, ConnectionArgs, encodeGlobalId, idOfType, namedParameters, paginate, SortOrder } from "../../graphql/relay";
import { AuditService } from "../audit/audit.service";
import { regionOf } from "../customers/country-rules";
import { Customer, CustomerDomain } from "../customers/customer.entity";
import { CustomerService } from "../customers/customer.service";
import { EventService } from "../events/event.service";
import { IdempotencyService } from "../idempotency/idempotency.service";
import { Partner } from "../partners/partner.entity";
import { Cloud } from "../partners/partner.enums";
import { PartnerService } from "../partners/partner.service";
import { PurchasePermissionService } from "../purchase-permissions/purchase-permission.service";
import { Subscription } from "../subscriptions/subscription.entity";
import { SubscriptionKind } from "../subscriptions/subscription.enums";
import { SubscriptionService } from "../subscriptions/subscription.service";
import { CustomerRelationship } from "./customer-relationship.entity";
import { IndirectRelationshipService } from "./indirect-relationship.service";
import { relationshipRequestFilterConditions, relationshipRequestVisibility } from "./relationship.scope";
import { invitationToken, invitationTokenHash } from "./invitation-token";
import { RelationshipRequestStatus, RelationshipStatus, StoredRequestStatus } from "./relationship.enums";
import {
  RelationshipRemoveInput,
  RelationshipRequestAcceptInput,
  RelationshipRequestCancelInput,
  RelationshipRequestCreateInput,
  RelationshipRequestFilter,
} from "./relationship.inputs";
import { INVITATION_LIFETIME_DAYS, RelationshipRequest } from "./relationship-request.entity";

/** Relationship requests newest first (both read paths). */
export const REQUESTS_NEWEST_FIRST: SortOrder<RelationshipRequest> = {
  name: "CREATED_AT_DESC",
  column: "rr.created_at",
  idColumn: "rr.id",
  direction: "DESC",
  value: (r) => r.createdAt,
  id: (r) => r.id,
};

const DOMAIN = /^(?=.{4,255}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Subscriptions that block a removal outright: they must be cancelled first. */
const BLOCKING_KINDS = new Set([SubscriptionKind.AZURE_RESERVATION, SubscriptionKind.SOFTWARE]);

function requestSnapshot(r: RelationshipRequest): Record<string, unknown> {
  return {
    id: encodeGlobalId("RelationshipRequest", r.id),
    status: r.status,
    includeDelegatedAdmin: r.includeDelegatedAdmin,
    customerDomain: r.customerDomain,
    indirectResellerId: r.indirectResellerId ? encodeGlobalId("Partner", r.indirectResellerId) : null,
    expiresAt: r.expiresAt.toISOString(),
  };
}

function relationshipSnapshot(r: CustomerRelationship | null | undefined): Record<string, unknown> | null {
  if (!r) return null;
  return {
    status: r.status,
    establishedVia: r.establishedVia,
    delegatedAdmin: r.delegatedAdmin,
    indirectResellerId: r.indirectResellerId ? encodeGlobalId("Partner", r.indirectResellerId) : null,
    indirectProviderId: r.indirectProviderId ? encodeGlobalId("Partner", r.indirectProviderId) : null,
  };
}

/**
 * Customer relationships: invitations (relationship requests) with their
 * lifecycle, acceptance by the customer, removal and restore (DOMAIN.md).
 */
export class RelationshipService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly customers: CustomerService,
    private readonly partners: PartnerService,
    private readonly indirect: IndirectRelationshipService,
    private readonly subscriptions: SubscriptionService,
    private readonly purchasePermissions: PurchasePermissionService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly invitationSecret: string,
    private readonly events: EventService,
  ) {}

  // ------------------------------------------------------------ invitation tokens

  /** `<PUBLIC_BASE_URL>/invitations/accept?token=…` while the request can still be accepted. */
  invitationUrl(ctx: RequestContext, request: RelationshipRequest): string | null {
    if (request.status !== RelationshipRequestStatus.PENDING) return null;
    const base = ctx.config.publicBaseUrl ?? ctx.origin ?? `http://${ctx.config.host}:${ctx.config.port}`;
    return `${base}/invitations/accept?token=${invitationToken(this.invitationSecret, request.id)}`;
  }

  // ------------------------------------------------------------ reads

  private visible(ctx: RequestContext, manager?: EntityManager): SelectQueryBuilder<RelationshipRequest> {
    const viewer = requireViewer(ctx);
    return (manager ?? this.dataSource.manager)
      .getRepository(RelationshipRequest)
      .createQueryBuilder("rr")
      .where(relationshipRequestVisibility("rr", ":viewerPartnerId"), { viewerPartnerId: viewer.partnerId });
  }

  byId(ctx: RequestContext, id: string): Promise<RelationshipRequest | null> {
    return ctx.loaders
      .get<string, RelationshipRequest | null>("relationshipRequest.byId", async (ids) =>
        alignOne(ids, await this.visible(ctx).andWhere("rr.id IN (:...ids)", { ids: [...ids] }).getMany(), (r) => r.id),
      )
      .load(id);
  }

  /** The caller's partner's requests, newest first; EXPIRED and PENDING are told apart by time. */
  list(ctx: RequestContext, filter: RelationshipRequestFilter | null | undefined, args: ConnectionArgs): Promise<Connection<RelationshipRequest>> {
    const qb = this.visible(ctx);
    for (const condition of relationshipRequestFilterConditions(filter, namedParameters(qb, "f"))) qb.andWhere(condition);
    return paginate(qb, args, REQUESTS_NEWEST_FIRST);
  }

  // ------------------------------------------------------------ relationship requests

  async createRequest(ctx: RequestContext, input: RelationshipRequestCreateInput): Promise<{ relationshipRequest: RelationshipRequest }> {
    const viewer = requireViewer(ctx);
    const partner = await this.partners.current(ctx);
    if (partner.cloud === Cloud.US_GOVERNMENT) {
      throw UserErrors.of(UserErrorCode.FEATURE_UNAVAILABLE_IN_CLOUD, "Relationship requests do not exist in the US Government cloud; create the customer instead.");
    }
    const outcome = await this.dataSource.transaction((manager) =>
      this.idempotency.run(manager, ctx, "relationshipRequestCreate", input.idempotencyKey, input, async () => {
        const problems: UserError[] = [];
        const customerDomain = input.customerDomain?.trim().toLowerCase() || null;
        if (customerDomain !== null) await this.checkInvitedDomain(manager, partner, customerDomain, input.includeDelegatedAdmin, problems);
        const resellerId = await this.indirect.activeResellerFor(manager, partner, input.indirectResellerId, ["indirectResellerId"], problems);
        if (problems.length > 0) throw new UserErrors(problems);

        const id = crypto.randomUUID();
        await manager
          .createQueryBuilder()
          .insert()
          .into(RelationshipRequest)
          .values({
            id,
            partnerId: partner.id,
            tokenHash: invitationTokenHash(invitationToken(this.invitationSecret, id)),
            storedStatus: StoredRequestStatus.PENDING,
            includeDelegatedAdmin: input.includeDelegatedAdmin,
            customerDomain,
            indirectResellerId: resellerId,
            createdBy: viewer.userId,
            expiresAt: () => `now() + interval '${INVITATION_LIFETIME_DAYS} days'`,
          })
          .execute();
        const request = await manager.getRepository(RelationshipRequest).findOneByOrFail({ id });
        await this.audit.record(manager, ctx, { operationType: "create_relationship_request", resourceType: "relationship_request", customerId: null, newValue: requestSnapshot(request) });
        return { result: request, stored: { relationshipRequestId: id } };
      }),
    );
    ctx.loaders.clearAll();
    return { relationshipRequest: await this.idempotency.created(outcome, "relationshipRequestId", (id) => this.byId(ctx, id), "request") };
  }

  /**
   * Expiry is computed, never stored: the first sweep that observes a pending request past `expiresAt` writes its
   * `relationshipRequest.expired` event (once: the outbox's unique index on that type and resource), dated at the
   * expiry. Run by the webhook workers; returns how many it recorded.
   */
  async recordExpiredRequests(limit = 100): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const expired = await manager
        .getRepository(RelationshipRequest)
        .createQueryBuilder("rr")
        .where("rr.status = :pending AND rr.expires_at <= now()", { pending: StoredRequestStatus.PENDING })
        .andWhere(
          `NOT EXISTS (SELECT 1 FROM domain_event e WHERE e.type = 'relationshipRequest.expired' AND e.partner_id = rr.partner_id
             AND e.resource_id = replace(rtrim(translate(encode(convert_to('RelationshipRequest:' || CAST(rr.id AS text), 'UTF8'), 'base64'), '+/', '-_'), '='), E'\\n', ''))`,
        )
        .orderBy("rr.expires_at")
        .limit(limit)
        .setLock("pessimistic_write")
        .setOnLocked("skip_locked")
        .getMany();
      for (const request of expired) {
        await this.events.append(manager, {
          partnerId: request.partnerId,
          type: "relationshipRequest.expired",
          resourceType: "relationship_request",
          resourceId: encodeGlobalId("RelationshipRequest", request.id),
          body: requestSnapshot(request),
          occurredAt: request.expiresAt,
        });
      }
      return expired.length;
    });
  }

  /** A pinned domain must name a tenant of the partner's cloud and region that it may still invite. */
  private async checkInvitedDomain(manager: EntityManager, partner: Partner, domain: string, includeDelegatedAdmin: boolean, problems: UserError[]): Promise<void> {
    const field = ["customerDomain"];
    if (!DOMAIN.test(domain)) {
      problems.push(userError(UserErrorCode.INVALID_DOMAIN, "Give the customer's domain, e.g. contoso.onmicrosoft.com.", field));
      return;
    }
    const tenant = await manager
      .getRepository(Customer)
      .createQueryBuilder("c")
      .innerJoin(CustomerDomain, "d", "d.customer_id = c.id AND d.domain = :domain", { domain })
      .where("c.cloud = :cloud", { cloud: partner.cloud })
      .getOne();
    if (!tenant) {
      problems.push(userError(UserErrorCode.NOT_FOUND, `No customer tenant holds ${domain}.`, field));
      return;
    }
    if (regionOf(tenant.registeredCountry) !== partner.region) {
      problems.push(userError(UserErrorCode.REGION_MISMATCH, `${domain} is in region ${regionOf(tenant.registeredCountry)}; you serve ${partner.region}.`, field));
      return;
    }
    const current = await manager.getRepository(CustomerRelationship).findOneBy({ partnerId: partner.id, customerId: tenant.id, status: RelationshipStatus.ACTIVE });
    if (current && (current.delegatedAdmin || !includeDelegatedAdmin)) {
      problems.push(userError(UserErrorCode.ALREADY_EXISTS, `${domain} is already your customer${current.delegatedAdmin ? " with delegated admin" : ""}.`, field));
    }
  }

  async cancelRequest(ctx: RequestContext, input: RelationshipRequestCancelInput): Promise<{ relationshipRequest: RelationshipRequest }> {
    const request = await this.dataSource.transaction(async (manager) => {
      const id = idOfType(input.id, "RelationshipRequest");
      const current = id ? await this.visible(ctx, manager).andWhere("rr.id = :id", { id }).setLock("pessimistic_write").getOne() : null;
      if (!current) throw UserErrors.of(UserErrorCode.NOT_FOUND, "No relationship request of yours has this id.", ["id"]);
      if (current.status !== RelationshipRequestStatus.PENDING) {
        throw UserErrors.of(UserErrorCode.INVALID_STATE_TRANSITION, `A ${current.status} request cannot be cancelled; only PENDING ones can.`, ["id"]);
      }
      await manager.update(RelationshipRequest, { id: current.id }, { storedStatus: StoredRequestStatus.CANCELLED, cancelledAt: () => "now()" });
      const updated = await manager.getRepository(RelationshipRequest).findOneByOrFail({ id: current.id });
      await this.audit.record(manager, ctx, {
        operationType: "cancel_relationship_request",
        resourceType: "relationship_request",
        customerId: null,
        oldValue: requestSnapshot(current),
        newValue: requestSnapshot(updated),
      });
      return updated;
    });
    ctx.loaders.clearAll();
    return { relationshipRequest: request };
  }

  /**
   * The customer's side, without a bearer token: the invitation token is the
   * credential. Locks the request row, so of concurrent accepts exactly one
   * wins and the others see it ACCEPTED.
   */
  async acceptRequest(ctx: RequestContext, input: RelationshipRequestAcceptInput): Promise<{ relationshipRequest: RelationshipRequest; customer: Customer }> {
    return this.dataSource.transaction(async (manager) => {
      const problems: UserError[] = [];
      const token = input.invitationToken.trim();
      const request =
        token.length > 0 && token.length <= 200
          ? await manager.getRepository(RelationshipRequest).createQueryBuilder("rr").where("rr.token_hash = :hash", { hash: invitationTokenHash(token) }).setLock("pessimistic_write").getOne()
          : null;
      if (!request || request.status !== RelationshipRequestStatus.PENDING) {
        const why = !request ? "is not known" : `is ${request.status.toLowerCase()}`;
        problems.push(userError(UserErrorCode.INVITATION_NOT_VALID, `This invitation ${why}; ask the partner for a new one.`, ["invitationToken"]));
      }
      const tenantId = input.customerTenantId.trim();
      let customer: Customer | null = null;
      if (!GUID.test(tenantId)) {
        problems.push(userError(UserErrorCode.INVALID, "A tenant id is a GUID, e.g. 0f4b2c1e-5d7a-4c3b-9a8e-1f2d3c4b5a69.", ["customerTenantId"]));
      } else {
        customer = await manager.getRepository(Customer).findOneBy({ tenantId: tenantId.toLowerCase() });
        if (!customer) problems.push(userError(UserErrorCode.NOT_FOUND, "No customer tenant has this id.", ["customerTenantId"]));
      }
      if (problems.length > 0) throw new UserErrors(problems);

      const partner = (await manager.getRepository(Partner).findOneByOrFail({ id: request!.partnerId }))!;
      const tenant = customer!;
      // the other cloud does not exist for the partner: its tenants are unknown
      if (tenant.cloud !== partner.cloud) throw UserErrors.of(UserErrorCode.NOT_FOUND, "No customer tenant has this id.", ["customerTenantId"]);
      if (request!.customerDomain !== null) {
        const holds = await manager.getRepository(CustomerDomain).existsBy({ customerId: tenant.id, domain: request!.customerDomain });
        if (!holds) throw UserErrors.of(UserErrorCode.INVITATION_NOT_VALID, `This invitation is for ${request!.customerDomain}, which is not this tenant's domain.`, ["customerTenantId"]);
      }
      if (regionOf(tenant.registeredCountry) !== partner.region) {
        throw UserErrors.of(UserErrorCode.REGION_MISMATCH, `The tenant is in region ${regionOf(tenant.registeredCountry)}; ${partner.name} serves ${partner.region}.`, ["customerTenantId"]);
      }
      const resellerId = request!.indirectResellerId;
      if (resellerId) {
        const link = await this.indirect.lockActiveLink(manager, partner.id, resellerId);
        if (!link) throw UserErrors.of(UserErrorCode.INVITATION_NOT_VALID, "The reseller named in this joint invitation is no longer linked to the provider.", ["invitationToken"]);
      }

      const actor = { userId: null, email: `admin@${tenant.defaultDomain}`, roles: [] };
      const sides = [{ partnerId: partner.id, indirectResellerId: resellerId, indirectProviderId: null as string | null }];
      let inviting: CustomerRelationship | null = null;
      if (resellerId) sides.push({ partnerId: resellerId, indirectResellerId: null, indirectProviderId: partner.id });
      for (const side of sides) {
        const before = await manager.getRepository(CustomerRelationship).createQueryBuilder("r").where("r.partner_id = :p AND r.customer_id = :c", { p: side.partnerId, c: tenant.id }).setLock("pessimistic_write").getOne();
        await this.establish(manager, side.partnerId, tenant.id, request!.includeDelegatedAdmin, side.indirectResellerId, side.indirectProviderId);
        const after = await manager.getRepository(CustomerRelationship).findOneByOrFail({ partnerId: side.partnerId, customerId: tenant.id });
        inviting ??= after;
        await this.audit.record(manager, ctx, {
          operationType: "create_partner_relationship",
          resourceType: "customer_relationship",
          customerId: tenant.id,
          oldValue: relationshipSnapshot(before),
          newValue: { ...relationshipSnapshot(after), relationshipRequestId: encodeGlobalId("RelationshipRequest", request!.id) },
          on: { partnerId: side.partnerId, actor },
        });
      }
      await manager.update(RelationshipRequest, { id: request!.id }, { storedStatus: StoredRequestStatus.ACCEPTED, acceptedAt: () => "now()", customerId: tenant.id });
      const accepted = await manager.getRepository(RelationshipRequest).findOneByOrFail({ id: request!.id });
      // the payload shows the customer as the inviting partner now holds it (its own profile, not the registration data)
      tenant.scopeRelationship = inviting!;
      return { relationshipRequest: accepted, customer: tenant };
    });
  }

  /**
   * Creates the relationship, re-activates a removed one (restore: the new
   * request decides delegated admin), or widens an active one to delegated
   * admin when the request asked for it. The upsert also settles two requests
   * of one partner accepted at once for the same tenant. A new relationship's
   * billing profile is a copy of the tenant's registration data, the partner's
   * own from then on; an existing one (active or restored) keeps the partner's.
   */
  private async establish(
    manager: EntityManager,
    partnerId: string,
    customerId: string,
    delegatedAdmin: boolean,
    indirectResellerId: string | null,
    indirectProviderId: string | null,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO customer_relationship AS r (partner_id, customer_id, status, type, established_via, delegated_admin, indirect_reseller_id, indirect_provider_id, established_at, billing_profile)
       SELECT $1, $2, 'ACTIVE', 'RESELLER', 'INVITATION', $3, $4, $5, now(), customer_registration_billing_profile(c) FROM customer c WHERE c.id = $2
       ON CONFLICT (partner_id, customer_id) DO UPDATE SET
         established_via = CASE WHEN r.status = 'ACTIVE' THEN r.established_via ELSE 'INVITATION' END,
         delegated_admin = CASE WHEN r.status = 'ACTIVE' THEN r.delegated_admin OR EXCLUDED.delegated_admin ELSE EXCLUDED.delegated_admin END,
         indirect_reseller_id = CASE WHEN r.status = 'ACTIVE' THEN coalesce(r.indirect_reseller_id, EXCLUDED.indirect_reseller_id) ELSE EXCLUDED.indirect_reseller_id END,
         indirect_provider_id = CASE WHEN r.status = 'ACTIVE' THEN coalesce(r.indirect_provider_id, EXCLUDED.indirect_provider_id) ELSE EXCLUDED.indirect_provider_id END,
         established_at = CASE WHEN r.status = 'ACTIVE' THEN r.established_at ELSE now() END,
         status = 'ACTIVE',
         removed_at = NULL`,
      [partnerId, customerId, delegatedAdmin, indirectResellerId, indirectProviderId],
    );
  }

  // ------------------------------------------------------------ removal

  /**
   * ACTIVE → REMOVED in one transaction: refused while reservations or software
   * are active, and while other subscriptions are active unless they are to be
   * suspended; revokes delegated admin and every purchase permission.
   */
  async remove(ctx: RequestContext, input: RelationshipRemoveInput): Promise<{ removedCustomerId: string; suspendedSubscriptions: Subscription[] }> {
    requireViewer(ctx);
    const outcome = await this.dataSource.transaction(async (manager) => {
      // FOR UPDATE: a concurrent subscriptionCreate (FOR SHARE on this row) either committed before, and is seen below, or fails after
      const { customer, relationship } = await this.customers.lockOwnRelationship(manager, ctx, input.customerId, ["customerId"], "pessimistic_write");
      const active = await this.subscriptions.lockActiveOf(manager, ctx, customer.id);
      const blocking = active.filter((s) => BLOCKING_KINDS.has(s.kind));
      if (blocking.length > 0) {
        throw UserErrors.of(
          UserErrorCode.ACTIVE_RESERVATIONS_OR_SOFTWARE,
          `Cancel these first: ${blocking.map((s) => `${s.offerName} (${s.kind})`).join(", ")}. Reservations and software subscriptions always block a removal.`,
          ["customerId"],
        );
      }
      if (active.length > 0 && !input.suspendActiveSubscriptions) {
        throw UserErrors.of(
          UserErrorCode.ACTIVE_SUBSCRIPTIONS,
          `${active.length} subscription(s) are active (${active.map((s) => s.offerName).join(", ")}); suspend them first or pass suspendActiveSubscriptions: true.`,
          ["suspendActiveSubscriptions"],
        );
      }
      // through the owning modules: each changed permission and subscription gets its own audit record (the change feed of its resource type)
      const revoked = await this.purchasePermissions.revokeAllWithin(manager, ctx, customer.id);
      const suspended = await this.subscriptions.suspendWithin(manager, ctx, active);
      const ids = suspended.map((s) => s.id);
      await manager.update(CustomerRelationship, { id: relationship.id }, { status: RelationshipStatus.REMOVED, delegatedAdmin: false, removedAt: () => "now()" });
      await this.audit.record(manager, ctx, {
        operationType: "remove_partner_customer_relationship",
        resourceType: "customer_relationship",
        customerId: customer.id,
        oldValue: {
          ...relationshipSnapshot(relationship),
          purchasePermissions: revoked.map((p) => ({ id: encodeGlobalId("PurchasePermission", p.id), resource: p.resource, subscriptionId: encodeGlobalId("Subscription", p.subscriptionId) })),
        },
        newValue: { status: RelationshipStatus.REMOVED, delegatedAdmin: false, suspendedSubscriptionIds: ids.map((id) => encodeGlobalId("Subscription", id)) },
      });
      return { removedCustomerId: encodeGlobalId("Customer", customer.id), suspendedSubscriptions: suspended };
    });
    ctx.loaders.clearAll();
    return outcome;
  }
}
