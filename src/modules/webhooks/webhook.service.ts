import { DataSource, EntityManager } from "typeorm";
import { requireViewer, RequestContext } from "../../auth/context";
import { developmentSecret } from "../../auth/tokens";
import type { Config } from "../../config";
import { UserError, userError, UserErrorCode, UserErrors } from "../../graphql/errors";
import { alignOne } from "../../graphql/loaders";
import { Connection, ConnectionArgs, encodeGlobalId, idOfType, paginate, SortOrder } from "../../graphql/relay";
import { AuditService } from "../audit/audit.service";
import { hiddenResourceTypes } from "../audit/audit.scope";
import { DomainEvent } from "../events/domain-event.entity";
import { EventService } from "../events/event.service";
import { isEventType, SUBSCRIBABLE_EVENT_TYPES } from "../events/event-types";
import { Webhook, WebhookDelivery } from "./webhook.entity";
import { WebhookCreateInput, WebhookDeliveryFilter, WebhookIdInput, WebhookUpdateInput } from "./webhook.inputs";
import { generateSecret, SecretBox } from "./webhook-signature";
import { Resolve, UrlPolicy, urlRefusal } from "./webhook-url";

/** Deliveries of events whose resource type the caller's roles may not read (`hidden`) are not shown. */
const HIDDEN_EVENTS = "NOT EXISTS (SELECT 1 FROM domain_event he WHERE he.id = d.event_id AND he.resource_type = ANY(:hidden))";

/** `referral.updated` → `referral`: an event type's resource type, as the audit record's. */
function resourceOfEventType(type: string): string {
  return type.slice(0, type.indexOf("."));
}

const NEWEST_FIRST: SortOrder<Webhook> = { name: "CREATED_AT_DESC", column: "w.created_at", idColumn: "w.id", direction: "DESC", value: (w) => w.createdAt, id: (w) => w.id };
const DELIVERIES_NEWEST_FIRST: SortOrder<WebhookDelivery> = {
  name: "CREATED_AT_DESC",
  column: "d.created_at",
  idColumn: "d.id",
  direction: "DESC",
  value: (d) => d.createdAt,
  id: (d) => d.id,
};
const MAX_DESCRIPTION = 500;

function snapshot(w: Webhook): Record<string, unknown> {
  return { id: encodeGlobalId("Webhook", w.id), url: w.url, eventTypes: w.eventTypes, description: w.description, enabled: w.enabled };
}

export type WebhookServiceConfig = Pick<Config, "env" | "webhooks" | "dataDir">;

/**
 * A partner's webhooks (GLOBAL_ADMIN, ADMIN_AGENT) and their deliveries. The
 * deliveries of an event are created in the event's own transaction (an
 * append hook of the outbox), one per enabled webhook that asked for its type;
 * the delivery worker (delivery-worker.ts) sends them.
 */
export class WebhookService {
  readonly secrets: SecretBox;
  /** Where URLs may point; tests swap `resolve` for fixed DNS answers. */
  readonly urlPolicy: UrlPolicy;
  private readonly testsPerMinute: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: EventService,
    config: WebhookServiceConfig,
    resolve?: Resolve,
  ) {
    this.secrets = new SecretBox(config.webhooks.secretKey ?? developmentSecret(config.dataDir, "webhook-secret-key"));
    this.urlPolicy = { production: config.env === "production", resolve };
    this.testsPerMinute = config.webhooks.testsPerMinute;
    // one PENDING delivery per enabled webhook of the event's partner that asked for its type, in the event's own statement
    events.onAppend(
      `INSERT INTO webhook_delivery (webhook_id, event_id, event_seq, resource_id)
       SELECT w.id, e.id, e.seq, e.resource_id FROM e JOIN webhook w ON w.partner_id = e.partner_id AND w.enabled AND e.type = ANY(w.event_types)`,
    );
  }

  // ------------------------------------------------------------ reads

  list(ctx: RequestContext, args: ConnectionArgs): Promise<Connection<Webhook>> {
    const viewer = requireViewer(ctx);
    const qb = this.dataSource.getRepository(Webhook).createQueryBuilder("w").where("w.partner_id = :viewerPartnerId", { viewerPartnerId: viewer.partnerId });
    return paginate(qb, args, NEWEST_FIRST);
  }

  async byId(ctx: RequestContext, id: string): Promise<Webhook | null> {
    return this.dataSource.getRepository(Webhook).findOneBy({ id, partnerId: requireViewer(ctx).partnerId });
  }

  /** A webhook's deliveries, newest first; another partner's webhook (or none) has none. */
  deliveries(ctx: RequestContext, webhookId: string, filter: WebhookDeliveryFilter | null | undefined, args: ConnectionArgs): Promise<Connection<WebhookDelivery>> {
    const viewer = requireViewer(ctx);
    const id = idOfType(webhookId, "Webhook");
    const qb = this.dataSource
      .getRepository(WebhookDelivery)
      .createQueryBuilder("d")
      .innerJoin(Webhook, "dw", "dw.id = d.webhook_id AND dw.partner_id = :viewerPartnerId", { viewerPartnerId: viewer.partnerId })
      .where(id ? "d.webhook_id = :webhookId" : "false", { webhookId: id })
      .andWhere(HIDDEN_EVENTS, { hidden: hiddenResourceTypes(viewer) });
    if (filter?.status) qb.andWhere("d.status = :status", { status: filter.status });
    return paginate(qb, args, DELIVERIES_NEWEST_FIRST);
  }

  async deliveryById(ctx: RequestContext, id: string): Promise<WebhookDelivery | null> {
    return this.dataSource
      .getRepository(WebhookDelivery)
      .createQueryBuilder("d")
      .innerJoin(Webhook, "dw", "dw.id = d.webhook_id AND dw.partner_id = :viewerPartnerId", { viewerPartnerId: requireViewer(ctx).partnerId })
      .where("d.id = :id", { id })
      .andWhere(HIDDEN_EVENTS, { hidden: hiddenResourceTypes(requireViewer(ctx)) })
      .getOne();
  }

  /** `WebhookDelivery.event`, batched per request. */
  eventOf(ctx: RequestContext, delivery: WebhookDelivery): Promise<DomainEvent | null> {
    return ctx.loaders
      .get<string, DomainEvent | null>("webhookDelivery.event", async (ids) =>
        alignOne(ids, await this.dataSource.getRepository(DomainEvent).createQueryBuilder("e").where("e.id IN (:...ids)", { ids: [...ids] }).getMany(), (e) => e.id),
      )
      .load(delivery.eventId);
  }

  // ------------------------------------------------------------ checks

  private async checkUrl(url: string, problems: UserError[]): Promise<string> {
    const trimmed = url.trim();
    const refusal = await urlRefusal(trimmed, this.urlPolicy);
    if (refusal) problems.push(userError(refusal.code === "INVALID" ? UserErrorCode.INVALID : UserErrorCode.URL_NOT_ALLOWED, refusal.message, ["url"]));
    return trimmed;
  }

  private checkEventTypes(ctx: RequestContext, types: readonly string[], problems: UserError[]): string[] {
    const unique = [...new Set(types.map((t) => t.trim()))];
    if (unique.length === 0) problems.push(userError(UserErrorCode.REQUIRED, "Name at least one event type.", ["eventTypes"]));
    if (unique.length > SUBSCRIBABLE_EVENT_TYPES.length) {
      problems.push(userError(UserErrorCode.TOO_LONG, `There are ${SUBSCRIBABLE_EVENT_TYPES.length} event types; name each at most once.`, ["eventTypes"]));
      return unique;
    }
    const hidden = hiddenResourceTypes(requireViewer(ctx));
    unique.forEach((type, i) => {
      if (!isEventType(type) || !SUBSCRIBABLE_EVENT_TYPES.includes(type)) {
        problems.push(userError(UserErrorCode.INVALID, `${type.slice(0, 100)} is not an event type; they are ${SUBSCRIBABLE_EVENT_TYPES.join(", ")}.`, ["eventTypes", i]));
      } else if (hidden.includes(resourceOfEventType(type))) {
        // a webhook would carry what the caller's roles may not read (e.g. an Admin agent and referrals)
        problems.push(userError(UserErrorCode.INVALID, `Your roles may not read ${resourceOfEventType(type)} records, so a webhook of yours may not receive ${type}.`, ["eventTypes", i]));
      }
    });
    return unique;
  }

  private checkDescription(description: string | null | undefined, problems: UserError[]): string | null {
    const text = description?.trim() || null;
    if (text && text.length > MAX_DESCRIPTION) problems.push(userError(UserErrorCode.TOO_LONG, `At most ${MAX_DESCRIPTION} characters.`, ["description"]));
    return text;
  }

  private async lock(manager: EntityManager, ctx: RequestContext, globalId: string): Promise<Webhook> {
    const id = idOfType(globalId, "Webhook");
    const webhook = id
      ? await manager.getRepository(Webhook).createQueryBuilder("w").where("w.id = :id AND w.partner_id = :partnerId", { id, partnerId: requireViewer(ctx).partnerId }).setLock("pessimistic_write").getOne()
      : null;
    if (!webhook) throw UserErrors.of(UserErrorCode.NOT_FOUND, "No webhook of yours has this id.", ["id"]);
    return webhook;
  }

  // ------------------------------------------------------------ mutations

  async create(ctx: RequestContext, input: WebhookCreateInput): Promise<{ webhook: Webhook; secret: string }> {
    const viewer = requireViewer(ctx);
    const problems: UserError[] = [];
    const url = await this.checkUrl(input.url, problems);
    const eventTypes = this.checkEventTypes(ctx, input.eventTypes, problems);
    const description = this.checkDescription(input.description, problems);
    if (problems.length > 0) throw new UserErrors(problems);
    const secret = generateSecret();
    const webhook = await this.dataSource.transaction(async (manager) => {
      const [{ id }] = await manager.query(`INSERT INTO webhook (partner_id, url, event_types, description, secret_ciphertext) VALUES ($1, $2, $3, $4, $5) RETURNING id`, [
        viewer.partnerId,
        url,
        eventTypes,
        description,
        this.secrets.seal(secret),
      ]);
      const created = await manager.getRepository(Webhook).findOneByOrFail({ id });
      await this.audit.record(manager, ctx, { operationType: "create_webhook", resourceType: "webhook", customerId: null, newValue: snapshot(created) });
      return created;
    });
    return { webhook, secret };
  }

  async update(ctx: RequestContext, input: WebhookUpdateInput): Promise<{ webhook: Webhook }> {
    const problems: UserError[] = [];
    const url = input.url != null ? await this.checkUrl(input.url, problems) : undefined;
    const eventTypes = input.eventTypes != null ? this.checkEventTypes(ctx, input.eventTypes, problems) : undefined;
    const description = input.description !== undefined ? this.checkDescription(input.description, problems) : undefined;
    if (problems.length > 0) throw new UserErrors(problems);
    const webhook = await this.dataSource.transaction(async (manager) => {
      const current = await this.lock(manager, ctx, input.id);
      // redirecting a webhook that carries what the caller may not read would hand it over
      if (eventTypes === undefined) {
        const kept: UserError[] = [];
        this.checkEventTypes(ctx, current.eventTypes, kept);
        if (kept.length > 0) throw new UserErrors(kept.map((problem) => ({ ...problem, field: ["input", "eventTypes"] })));
      }
      const enabling = input.enabled === true && !current.enabled;
      const disabling = input.enabled === false && current.enabled;
      await manager.query(
        `UPDATE webhook SET url = coalesce($2, url), event_types = coalesce($3, event_types), description = CASE WHEN $4 THEN $5 ELSE description END,
           enabled = coalesce($6, enabled), failure_count = CASE WHEN $7 THEN 0 ELSE failure_count END,
           disabled_at = CASE WHEN $7 THEN NULL WHEN $8 THEN now() ELSE disabled_at END, updated_at = now()
         WHERE id = $1`,
        [current.id, url ?? null, eventTypes ?? null, description !== undefined, description ?? null, input.enabled ?? null, enabling, disabling],
      );
      // what waited while it was disabled is due now
      if (enabling) await manager.query(`UPDATE webhook_delivery SET next_attempt_at = now() WHERE webhook_id = $1 AND status = 'PENDING' AND next_attempt_at > now()`, [current.id]);
      const updated = await manager.getRepository(Webhook).findOneByOrFail({ id: current.id });
      await this.audit.record(manager, ctx, { operationType: "update_webhook", resourceType: "webhook", customerId: null, oldValue: snapshot(current), newValue: snapshot(updated) });
      return updated;
    });
    return { webhook };
  }

  async delete(ctx: RequestContext, input: WebhookIdInput): Promise<{ deletedWebhookId: string }> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.lock(manager, ctx, input.id);
      await manager.query(`DELETE FROM webhook WHERE id = $1`, [current.id]);
      await this.audit.record(manager, ctx, { operationType: "delete_webhook", resourceType: "webhook", customerId: null, oldValue: snapshot(current) });
      return { deletedWebhookId: encodeGlobalId("Webhook", current.id) };
    });
  }

  /**
   * A `webhook.test` event for this webhook alone (no other webhook or subscription asked for it), delivered like any
   * other; at most `testsPerMinute` a minute per webhook (each is a POST to the partner's URL), counted in the
   * database under the webhook's row lock, so every instance counts the same tests.
   */
  async test(ctx: RequestContext, input: WebhookIdInput): Promise<{ delivery: WebhookDelivery }> {
    const viewer = requireViewer(ctx);
    return this.dataSource.transaction(async (manager) => {
      const webhook = await this.lock(manager, ctx, input.id);
      const [recent] = (await manager.query(
        `SELECT count(*)::int AS n, ceil(extract(epoch FROM min(d.created_at) + interval '60 seconds' - now()))::int AS wait
           FROM webhook_delivery d JOIN domain_event e ON e.id = d.event_id
          WHERE d.webhook_id = $1 AND d.created_at > now() - interval '60 seconds' AND e.type = 'webhook.test'`,
        [webhook.id],
      )) as { n: number; wait: number | null }[];
      if (recent!.n >= this.testsPerMinute) {
        throw UserErrors.of(UserErrorCode.RATE_LIMITED, `This webhook got ${recent!.n} test events in the last minute (at most ${this.testsPerMinute}); retry in ${Math.max(1, recent!.wait ?? 1)} s.`, ["id"]);
      }
      const webhookId = encodeGlobalId("Webhook", webhook.id);
      const event = await this.events.append(
        manager,
        { partnerId: viewer.partnerId, type: "webhook.test", resourceType: "webhook", resourceId: webhookId, body: { webhookId, url: webhook.url, message: "A test event: your endpoint and its signature check work." } },
        { hooks: false },
      );
      const [{ id }] = await manager.query(`INSERT INTO webhook_delivery (webhook_id, event_id, event_seq, resource_id) VALUES ($1, $2, $3, $4) RETURNING id`, [webhook.id, event.id, event.seq, event.resourceId]);
      const delivery = await manager.getRepository(WebhookDelivery).findOneByOrFail({ id });
      return { delivery };
    });
  }
}

