import { DataSource, EntityManager, SelectQueryBuilder } from "typeorm";
import { requireViewer, RequestContext } from "../../auth/context";
import { Connection, ConnectionArgs, countByParent, namedParameters, paginate, paginateByParent, SortOrder } from "../../graphql/relay";
import type { EventService } from "../events/event.service";
import { AuditRecord } from "./audit-record.entity";
import { AuditFilter, auditFilterConditions, auditVisibility, hiddenResourceTypes } from "./audit.scope";

export type { AuditFilter } from "./audit.scope";

export interface AuditEntry {
  operationType: string;
  resourceType: string;
  customerId: string | null;
  oldValue?: unknown;
  newValue?: unknown;
  /** Whose log the record goes to and who acted, when that is not the signed-in caller (a customer accepting an invitation). */
  on?: { partnerId: string; actor: { userId: string | null; email: string; roles: string[] } };
}

/** Audit records oldest first (both read paths). */
export const BY_TIME: SortOrder<AuditRecord> = {
  name: "AT",
  column: "a.at",
  idColumn: "a.id",
  direction: "ASC",
  value: (a) => a.at,
  id: (a) => a.id,
};

export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventService,
  ) {}

  /**
   * Writes one record inside the caller's transaction, so it exists exactly when the change does,
   * and the domain event of that record in the same partner's feed (the outbox: src/modules/events).
   */
  async record(manager: EntityManager, ctx: RequestContext, entry: AuditEntry): Promise<void> {
    const on = entry.on ?? (({ partnerId, userId, email, roles }) => ({ partnerId, actor: { userId, email: email ?? "", roles: [...roles] } }))(requireViewer(ctx));
    const values = [
      on.partnerId,
      entry.customerId,
      entry.operationType,
      entry.resourceType,
      on.actor.userId,
      on.actor.email,
      on.actor.roles,
      entry.oldValue == null ? null : JSON.stringify(entry.oldValue),
      entry.newValue == null ? null : JSON.stringify(entry.newValue),
    ];
    const insert = `INSERT INTO audit_record (partner_id, customer_id, operation_type, resource_type, actor_user_id, actor_email, actor_roles, old_value, new_value)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING at`;
    const event = this.events.draftForAudit(on.partnerId, entry);
    // one statement for the record and its event: the event is dated by the record's insert, so the feed and the log agree
    if (event) await this.events.append(manager, event, { with: { sql: insert, parameters: values } });
    else await manager.query(insert, values);
  }

  /**
   * The caller's partner's records: the scope of every audit read. Records of a resource whose own
   * read capability the caller lacks are left out (audit readers may not read referrals through their history).
   */
  private visible(ctx: RequestContext): SelectQueryBuilder<AuditRecord> {
    const viewer = requireViewer(ctx);
    return this.dataSource
      .getRepository(AuditRecord)
      .createQueryBuilder("a")
      .where(auditVisibility("a", { viewer: ":viewerPartnerId", hidden: "CAST(:hiddenResourceTypes AS text[])" }), { viewerPartnerId: viewer.partnerId, hiddenResourceTypes: hiddenResourceTypes(viewer) });
  }

  private filtered(ctx: RequestContext, filter: AuditFilter): SelectQueryBuilder<AuditRecord> {
    const qb = this.visible(ctx);
    for (const condition of auditFilterConditions(filter, namedParameters(qb, "f"))) qb.andWhere(condition);
    return qb;
  }

  list(ctx: RequestContext, filter: AuditFilter, args: ConnectionArgs): Promise<Connection<AuditRecord>> {
    return paginate(this.filtered(ctx, filter), args, BY_TIME);
  }

  async byId(ctx: RequestContext, id: string): Promise<AuditRecord | null> {
    return this.visible(ctx).andWhere("a.id = :id", { id }).getOne();
  }

  /** `Customer.auditRecords` for a page of customers: one statement for all of them. */
  forCustomer(ctx: RequestContext, customerId: string, args: ConnectionArgs): Promise<Connection<AuditRecord>> {
    const key = `audit.byCustomer:${JSON.stringify(args)}`;
    return ctx.loaders
      .get<string, Connection<AuditRecord>>(key, async (customerIds) => {
        const pages = await paginateByParent(this.visible(ctx), "a.customer_id", (a) => a.customerId!, customerIds, args, BY_TIME, (id) =>
          this.countForCustomer(ctx, id),
        );
        return customerIds.map((id) => pages.get(id)!);
      })
      .load(customerId);
  }

  private countForCustomer(ctx: RequestContext, customerId: string): Promise<number> {
    return ctx.loaders.get<string, number>("audit.countByCustomer", (ids) => countByParent(this.visible(ctx), "a.customer_id", ids)).load(customerId);
  }
}
