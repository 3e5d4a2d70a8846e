import crypto from "node:crypto";
import { DataSource, EntityManager, SelectQueryBuilder } from "typeorm";
import { requireViewer, RequestContext } from "../../auth/context";
import { hasCapability } from "../../auth/permissions";
import { PartnerRole } from "../../auth/roles";
import { forbidden, UserError, userError, UserErrorCode, UserErrors } from "../../graphql/errors";
import { alignOne } from "../../graphql/loaders";
import { Connection, ConnectionArgs, encodeGlobalId, idOfType, namedParameters, paginate, SortOrder } from "../../graphql/relay";
import { AuditService } from "../audit/audit.service";
import { clean, isEmail, isPhoneNumber } from "../customers/customer.validation";
import { OrderDirection } from "../customers/customer.enums";
import { IdempotencyService } from "../idempotency/idempotency.service";
import { Partner, PartnerUser } from "../partners/partner.entity";
import { Cloud } from "../partners/partner.enums";
import { PartnerService } from "../partners/partner.service";
import { Clock } from "./clock";
import { checkMoney, MoneyValues } from "./money";
import { ReferralDirection, ReferralOrderField, ReferralStatus, ReferralSubstatus } from "./referral.enums";
import { referralFilterConditions, referralVisibility } from "./referral.scope";
import { Referral, REFERRAL_LIFETIME_MS } from "./referral.entity";
import {
  ReferralAcceptInput,
  ReferralAssignInput,
  ReferralCloseInput,
  ReferralCreateInput,
  ReferralDeclineInput,
  ReferralFilter,
  ReferralOrder,
} from "./referral.inputs";

/** How much of its partner's referrals a caller reaches (DOMAIN.md role matrix). */
export type ReferralAccess = "all" | "assigned";

/** Whether a partner holds a business profile (it cannot receive referrals without one). */
export type BusinessProfileCheck = (ctx: RequestContext, partnerId: string) => Promise<boolean>;

const MPN_ID = /^[0-9]{1,12}$/;
const NAME_MAX = 200;
const PERSON_NAME_MAX = 50;
const NOTES_MAX = 2000;
const REASON_MAX = 500;

/** The keyset order of `referrals(orderBy:)` (both read paths): newest first unless ordered. */
export function referralSortOrder(order: ReferralOrder | null | undefined): SortOrder<Referral> {
  const direction = order ? (order.direction === OrderDirection.DESC ? "DESC" : "ASC") : "DESC";
  switch (order?.field ?? ReferralOrderField.CREATED_AT) {
    case ReferralOrderField.EXPIRES_AT:
      return { name: `EXPIRES_AT_${direction}`, column: "r.expires_at", idColumn: "r.id", direction, value: (r) => r.expiresAt, id: (r) => r.id };
    case ReferralOrderField.DEAL_VALUE:
      // referrals without a value sort below every amount; amounts compare as numbers whatever their currency
      return { name: `DEAL_VALUE_${direction}`, column: "coalesce(r.deal_value_amount, -1)", idColumn: "r.id", direction, value: (r) => r.dealValueAmount ?? "-1", id: (r) => r.id, numeric: true };
    default:
      return { name: `CREATED_AT_${direction}`, column: "r.created_at", idColumn: "r.id", direction, value: (r) => r.createdAt, id: (r) => r.id };
  }
}

/** Text checks: trimmed, required or not, bounded. */
function text(value: string | null | undefined, label: string, max: number, required: boolean, field: string[], problems: UserError[]): string | null {
  const cleaned = clean(value);
  if (cleaned === null) {
    if (required) problems.push(userError(UserErrorCode.REQUIRED, `${label} is required.`, field));
  } else if (cleaned.length > max) {
    problems.push(userError(UserErrorCode.TOO_LONG, `${label} has at most ${max} characters; got ${cleaned.length}.`, field));
  }
  return cleaned;
}

/**
 * Referrals (DOMAIN.md): leads one partner sends another, one row seen by both.
 * NEW → ACTIVE/ACCEPTED → CLOSED/WON|LOST, NEW → CLOSED/DECLINED, and
 * NEW → CLOSED/EXPIRED 14 days after creation (computed against `clock`).
 */
export class ReferralService {
  /** Tests move it; everything about expiry and creation time reads it. */
  readonly clock = new Clock();

  constructor(
    private readonly dataSource: DataSource,
    private readonly partners: PartnerService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly hasBusinessProfile: BusinessProfileCheck,
  ) {}

  // ------------------------------------------------------------ who sees what

  /** `all` (readAllReferrals: GA, RA) or `assigned` (readAssignedReferrals: RU); FORBIDDEN for the other roles. */
  access(ctx: RequestContext): ReferralAccess {
    const viewer = requireViewer(ctx);
    if (hasCapability(viewer.roles, "readAllReferrals")) return "all";
    if (hasCapability(viewer.roles, "readAssignedReferrals")) return "assigned";
    throw forbidden("Your roles do not include one that may read referrals.");
  }

  /**
   * The one place referral visibility is decided: the referrals the caller's
   * partner sent or received, and for a Referrals user only those assigned to
   * it on its partner's side. Lists, lookups, loaders and locks start here.
   */
  scoped(ctx: RequestContext, manager?: EntityManager): SelectQueryBuilder<Referral> {
    const viewer = requireViewer(ctx);
    const assigned = this.access(ctx) === "assigned";
    return (manager ?? this.dataSource.manager)
      .getRepository(Referral)
      .createQueryBuilder("r")
      .where(referralVisibility({ viewer: ":viewerPartnerId", assignedTo: assigned ? ":viewerUserId" : null }), { viewerPartnerId: viewer.partnerId, ...(assigned ? { viewerUserId: viewer.userId } : {}) });
  }

  byId(ctx: RequestContext, id: string): Promise<Referral | null> {
    return ctx.loaders
      .get<string, Referral | null>("referral.byId", async (ids) => alignOne(ids, await this.scoped(ctx).andWhere("r.id IN (:...ids)", { ids: [...ids] }).getMany(), (r) => r.id))
      .load(id);
  }

  async list(ctx: RequestContext, filter: ReferralFilter | null | undefined, order: ReferralOrder | null | undefined, args: ConnectionArgs): Promise<Connection<Referral>> {
    const viewer = requireViewer(ctx);
    const qb = this.scoped(ctx);
    for (const condition of referralFilterConditions(filter, namedParameters(qb, "f"), { viewer: ":viewerPartnerId", userId: viewer.userId, now: this.clock.now() })) qb.andWhere(condition);
    return paginate(qb, args, referralSortOrder(order));
  }

  // ------------------------------------------------------------ what the viewer sees of one referral

  direction(ctx: RequestContext, r: Referral): ReferralDirection {
    return r.toPartnerId === requireViewer(ctx).partnerId ? ReferralDirection.INCOMING : ReferralDirection.OUTGOING;
  }

  status(r: Referral, now = this.clock.now()): ReferralStatus {
    return r.expiredAt(now) ? ReferralStatus.CLOSED : (r.storedStatus as ReferralStatus);
  }

  substatus(ctx: RequestContext, r: Referral, now = this.clock.now()): ReferralSubstatus {
    return this.substatusFor(r, requireViewer(ctx).partnerId, now);
  }

  private substatusFor(r: Referral, partnerId: string, now: Date): ReferralSubstatus {
    if (r.expiredAt(now)) return ReferralSubstatus.EXPIRED;
    if (r.storedStatus === "NEW") return r.toPartnerId === partnerId ? ReferralSubstatus.RECEIVED : ReferralSubstatus.PENDING;
    return r.storedSubstatus as ReferralSubstatus;
  }

  closedAt(r: Referral, now = this.clock.now()): Date | null {
    return r.expiredAt(now) ? r.expiresAt : r.storedClosedAt;
  }

  /** The assignee of the caller's side (each partner assigns its own users). */
  assignedTo(ctx: RequestContext, r: Referral): Promise<PartnerUser | null> | null {
    const id = r.toPartnerId === requireViewer(ctx).partnerId ? r.toAssignedTo : r.fromAssignedTo;
    return id ? this.partners.visibleUser(ctx, id) : null;
  }

  /** One partner's view of a referral, for its audit log. */
  private snapshot(r: Referral, partnerId: string, now: Date): Record<string, unknown> {
    return {
      id: encodeGlobalId("Referral", r.id),
      name: r.name,
      direction: r.toPartnerId === partnerId ? ReferralDirection.INCOMING : ReferralDirection.OUTGOING,
      status: this.status(r, now),
      substatus: this.substatusFor(r, partnerId, now),
      fromPartnerId: encodeGlobalId("Partner", r.fromPartnerId),
      toPartnerId: encodeGlobalId("Partner", r.toPartnerId),
      customerName: r.customerName,
      dealValue: r.dealValue,
      dealName: r.dealName,
      expectedCloseDate: r.expectedCloseDate?.toISOString() ?? null,
      declineReason: r.declineReason,
      closeReason: r.closeReason,
    };
  }

  /**
   * One audit record in each partner's log, from that partner's point of view. The caller is the actor in its
   * own partner's log; the other partner's log names no user (a partner's users stay private to it).
   */
  private async recordBoth(manager: EntityManager, ctx: RequestContext, operationType: string, before: Referral | null, after: Referral, now: Date): Promise<void> {
    const viewer = requireViewer(ctx);
    const own = { userId: viewer.userId, email: viewer.email ?? "", roles: [...viewer.roles] };
    const otherPartner = { userId: null, email: "", roles: [] };
    for (const partnerId of [viewer.partnerId, viewer.partnerId === after.fromPartnerId ? after.toPartnerId : after.fromPartnerId]) {
      const actor = partnerId === viewer.partnerId ? own : otherPartner;
      await this.audit.record(manager, ctx, {
        operationType,
        resourceType: "referral",
        customerId: null,
        oldValue: before ? this.snapshot(before, partnerId, now) : null,
        newValue: this.snapshot(after, partnerId, now),
        on: { partnerId, actor },
      });
    }
  }

  // ------------------------------------------------------------ referralCreate

  async create(ctx: RequestContext, input: ReferralCreateInput): Promise<{ referral: Referral }> {
    const viewer = requireViewer(ctx);
    const partner = await this.partners.current(ctx);
    if (partner.cloud === Cloud.US_GOVERNMENT) {
      throw UserErrors.of(UserErrorCode.FEATURE_UNAVAILABLE_IN_CLOUD, "Referrals do not exist in the US Government cloud.");
    }
    const outcome = await this.dataSource.transaction((manager) =>
      this.idempotency.run(manager, ctx, "referralCreate", input.idempotencyKey, input, async () => {
        const problems: UserError[] = [];
        const receiver = await this.receiverOf(ctx, partner, input.toPartnerMpnId, problems);
        const name = text(input.name, "Name", NAME_MAX, true, ["name"], problems);
        const customerName = text(input.customerName, "Customer name", NAME_MAX, true, ["customerName"], problems);
        const contact = input.customerContact;
        const firstName = text(contact.firstName, "First name", PERSON_NAME_MAX, false, ["customerContact", "firstName"], problems);
        const lastName = text(contact.lastName, "Last name", PERSON_NAME_MAX, false, ["customerContact", "lastName"], problems);
        const email = text(contact.email, "Email", 254, true, ["customerContact", "email"], problems);
        if (email !== null && email.length <= 254 && !isEmail(email)) {
          problems.push(userError(UserErrorCode.INVALID_EMAIL, `"${email}" is not an email address.`, ["customerContact", "email"]));
        }
        const phone = clean(contact.phoneNumber);
        if (phone !== null && !isPhoneNumber(phone)) {
          problems.push(userError(UserErrorCode.INVALID_PHONE, "A phone number holds digits, spaces, ( ) . - and an optional leading +.", ["customerContact", "phoneNumber"]));
        }
        const dealValue = input.dealValue ? checkMoney(input.dealValue, ["dealValue"], problems) : null;
        const notes = text(input.notes, "Notes", NOTES_MAX, false, ["notes"], problems);
        if (problems.length > 0) throw new UserErrors(problems);

        const id = crypto.randomUUID();
        const now = this.clock.now();
        await manager.insert(Referral, {
          id,
          fromPartnerId: partner.id,
          toPartnerId: receiver!.id,
          name: name!,
          customerName: customerName!,
          contactFirstName: firstName,
          contactLastName: lastName,
          contactEmail: email!,
          contactPhoneNumber: phone,
          dealValueAmount: dealValue?.amount ?? null,
          dealValueCurrency: dealValue?.currency ?? null,
          notes,
          storedStatus: "NEW",
          storedSubstatus: null,
          createdBy: viewer.userId,
          createdAt: now,
          expiresAt: new Date(now.getTime() + REFERRAL_LIFETIME_MS),
        });
        const referral = await manager.getRepository(Referral).findOneByOrFail({ id });
        await this.recordBoth(manager, ctx, "create_referral", null, referral, now);
        return { result: referral, stored: { referralId: id } };
      }),
    );
    ctx.loaders.clearAll();
    return { referral: await this.idempotency.created(outcome, "referralId", (id) => this.byId(ctx, id), "referral") };
  }

  /** The receiving partner, checked in order: MPN id form, exists in the caller's cloud, not the caller, same region, has a business profile. */
  private async receiverOf(ctx: RequestContext, sender: Partner, mpnId: string, problems: UserError[]): Promise<Partner | null> {
    const field = ["toPartnerMpnId"];
    const trimmed = mpnId.trim();
    if (!MPN_ID.test(trimmed)) {
      problems.push(userError(UserErrorCode.INVALID, "An MPN id is a string of digits, e.g. 1000002.", field));
      return null;
    }
    // partners of the other cloud do not exist for the caller
    const receiver = await this.partners.byMpnIdInCloud(trimmed, sender.cloud);
    if (!receiver) {
      problems.push(userError(UserErrorCode.NOT_FOUND, `No partner has MPN id ${trimmed}.`, field));
      return null;
    }
    if (receiver.id === sender.id) {
      problems.push(userError(UserErrorCode.INVALID, "A partner cannot refer a lead to itself.", field));
      return null;
    }
    if (receiver.region !== sender.region) {
      problems.push(userError(UserErrorCode.REGION_MISMATCH, `That partner is in another CSP region than yours (${sender.region}); referrals stay within a region.`, field));
      return null;
    }
    if (!(await this.hasBusinessProfile(ctx, receiver.id))) {
      problems.push(userError(UserErrorCode.NO_BUSINESS_PROFILE, "That partner has no business profile and cannot receive referrals yet.", field));
      return null;
    }
    return receiver;
  }

  // ------------------------------------------------------------ answers

  /**
   * Runs one answer in a transaction: locks the referral row (FOR UPDATE), so
   * of concurrent answers exactly one sees the state it needs and the others
   * see the state it left; then `change` validates and returns the update.
   */
  private async transition(
    ctx: RequestContext,
    globalId: string,
    allowed: (r: Referral, now: Date) => string | null,
    change: (r: Referral, now: Date, problems: UserError[]) => Partial<Referral>,
  ): Promise<{ referral: Referral }> {
    this.access(ctx);
    const referral = await this.dataSource.transaction(async (manager) => {
      const current = await this.lock(ctx, manager, globalId);
      const now = this.clock.now();
      const problems: UserError[] = [];
      const update = change(current, now, problems);
      const refusal = allowed(current, now);
      if (refusal) problems.unshift(userError(UserErrorCode.INVALID_STATE_TRANSITION, refusal, ["id"]));
      if (problems.length > 0) throw new UserErrors(problems);
      await manager.update(Referral, { id: current.id }, update);
      const updated = await manager.getRepository(Referral).findOneByOrFail({ id: current.id });
      await this.recordBoth(manager, ctx, "update_referral", current, updated, now);
      return updated;
    });
    ctx.loaders.clearAll();
    return { referral };
  }

  /** The referral row through the caller's scope, locked FOR UPDATE; NOT_FOUND when the caller does not see it. */
  private async lock(ctx: RequestContext, manager: EntityManager, globalId: string): Promise<Referral> {
    const id = idOfType(globalId, "Referral");
    const current = id ? await this.scoped(ctx, manager).andWhere("r.id = :id", { id }).setLock("pessimistic_write").getOne() : null;
    if (!current) throw UserErrors.of(UserErrorCode.NOT_FOUND, "No referral of yours has this id.", ["id"]);
    return current;
  }

  /** Why the caller may not answer a NEW referral now (null when it may). */
  private answerRefusal(ctx: RequestContext, verb: string): (r: Referral, now: Date) => string | null {
    const viewer = requireViewer(ctx);
    return (r, now) => {
      if (r.toPartnerId !== viewer.partnerId) return `Only the partner that received a referral may ${verb} it.`;
      if (r.expiredAt(now)) return `This referral expired at ${r.expiresAt.toISOString()} without an answer; it can no longer be ${verb === "accept" ? "accepted" : "declined"}.`;
      if (r.storedStatus !== "NEW") return `A ${this.status(r, now)}/${this.substatusFor(r, viewer.partnerId, now)} referral cannot be ${verb === "accept" ? "accepted" : "declined"}; only NEW ones can.`;
      return null;
    };
  }

  accept(ctx: RequestContext, input: ReferralAcceptInput): Promise<{ referral: Referral }> {
    return this.transition(ctx, input.id, this.answerRefusal(ctx, "accept"), (_r, now, problems) => {
      const dealName = text(input.dealName, "Deal name", NAME_MAX, true, ["dealName"], problems);
      const value: MoneyValues | null = checkMoney(input.dealValue, ["dealValue"], problems);
      const close = input.expectedCloseDate;
      if (!(close instanceof Date) || Number.isNaN(close.getTime()) || close.getTime() < now.getTime()) {
        problems.push(userError(UserErrorCode.INVALID, "The expected closing date must not be in the past.", ["expectedCloseDate"]));
      }
      const notes = text(input.notes, "Notes", NOTES_MAX, false, ["notes"], problems);
      return {
        storedStatus: "ACTIVE",
        storedSubstatus: "ACCEPTED",
        dealName,
        dealValueAmount: value?.amount ?? null,
        dealValueCurrency: value?.currency ?? null,
        expectedCloseDate: close,
        responseNotes: notes,
        respondedAt: now,
      };
    });
  }

  decline(ctx: RequestContext, input: ReferralDeclineInput): Promise<{ referral: Referral }> {
    return this.transition(ctx, input.id, this.answerRefusal(ctx, "decline"), (_r, now, problems) => {
      const reason = text(input.reason, "A reason", REASON_MAX, true, ["reason"], problems);
      const notes = text(input.notes, "Notes", NOTES_MAX, false, ["notes"], problems);
      return { storedStatus: "CLOSED", storedSubstatus: "DECLINED", declineReason: reason, responseNotes: notes, respondedAt: now, storedClosedAt: now };
    });
  }

  close(ctx: RequestContext, input: ReferralCloseInput): Promise<{ referral: Referral }> {
    const viewer = requireViewer(ctx);
    const refusal = (r: Referral, now: Date): string | null => {
      if (r.toPartnerId !== viewer.partnerId) return "Only the partner that received a referral may close it.";
      if (r.storedStatus !== "ACTIVE") return `A ${this.status(r, now)}/${this.substatusFor(r, viewer.partnerId, now)} referral cannot be closed; only ACTIVE (accepted) ones can.`;
      return null;
    };
    return this.transition(ctx, input.id, refusal, (_r, now, problems) => {
      const reason = text(input.reason, "A reason", REASON_MAX, false, ["reason"], problems);
      return { storedStatus: "CLOSED", storedSubstatus: input.outcome, closeReason: reason, storedClosedAt: now };
    });
  }

  // ------------------------------------------------------------ referralAssign

  /**
   * Gives the caller's side of a referral to a Referrals user of the caller's
   * partner (null unassigns). The other partner's side and log are not
   * touched: who works a lead inside a partner is that partner's business.
   */
  async assign(ctx: RequestContext, input: ReferralAssignInput): Promise<{ referral: Referral }> {
    const viewer = requireViewer(ctx);
    const referral = await this.dataSource.transaction(async (manager) => {
      const current = await this.lock(ctx, manager, input.id);
      let userId: string | null = null;
      if (input.userId != null) {
        const id = idOfType(input.userId, "PartnerUser");
        const user = id ? await manager.getRepository(PartnerUser).findOneBy({ id, partnerId: viewer.partnerId }) : null;
        if (!user) throw UserErrors.of(UserErrorCode.NOT_FOUND, "No user of your partner has this id.", ["userId"]);
        if (!user.roles.includes(PartnerRole.REFERRALS_USER)) {
          throw UserErrors.of(UserErrorCode.INVALID, `${user.email} does not hold the REFERRALS_USER role; only Referrals users are assigned referrals.`, ["userId"]);
        }
        userId = user.id;
      }
      const side = current.toPartnerId === viewer.partnerId ? "toAssignedTo" : "fromAssignedTo";
      await manager.update(Referral, { id: current.id }, { [side]: userId });
      const updated = await manager.getRepository(Referral).findOneByOrFail({ id: current.id });
      const now = this.clock.now();
      const assignee = (r: Referral) => (r[side] ? encodeGlobalId("PartnerUser", r[side]!) : null);
      await this.audit.record(manager, ctx, {
        operationType: "update_referral",
        resourceType: "referral",
        customerId: null,
        oldValue: { ...this.snapshot(current, viewer.partnerId, now), assignedToId: assignee(current) },
        newValue: { ...this.snapshot(updated, viewer.partnerId, now), assignedToId: assignee(updated) },
      });
      return updated;
    });
    ctx.loaders.clearAll();
    return { referral };
  }
}
