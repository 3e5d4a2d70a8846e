import crypto from "node:crypto";
import { promisify } from "node:util";
import { DataSource, EntityManager, QueryFailedError, SelectQueryBuilder } from "typeorm";
import { requireViewer, RequestContext } from "../../auth/context";
import { badUserInput, FieldPath, UserError, userError, UserErrorCode, UserErrors } from "../../graphql/errors";
import { alignMany, alignOne, then } from "../../graphql/loaders";
import { Connection, ConnectionArgs, encodeGlobalId, idOfType, namedParameters, paginate, SortOrder } from "../../graphql/relay";
import { customerFilterConditions, customerVisibility, listedPartners, listedStatus, visiblePartnersOf } from "./customer.scope";
import { AuditService } from "../audit/audit.service";
import { IdempotencyService } from "../idempotency/idempotency.service";
import { PartnerService } from "../partners/partner.service";
import { CustomerRelationship } from "../relationships/customer-relationship.entity";
import { IndirectRelationshipService } from "../relationships/indirect-relationship.service";
import { EstablishedVia, RelationshipStatus, RelationshipType } from "../relationships/relationship.enums";
import { Customer, CustomerDomain } from "./customer.entity";
import { CustomerOrderField, CustomerQualification, OrderDirection } from "./customer.enums";
import {
  CustomerBillingProfileUpdateInput,
  CustomerCreateInput,
  CustomerFilter,
  CustomerOrder,
  DomainAvailability,
  InitialAdmin,
} from "./customer.inputs";
import {
  BillingProfileValues,
  billingProfileProblems,
  clean,
  cleanBillingProfile,
  defaultDomainOf,
  domainPrefixProblem,
  prefixOfDomain,
  registrationNumberProblems,
} from "./customer.validation";

const SORT_COLUMNS: Record<CustomerOrderField, { column: string; value: (c: Customer) => string | Date }> = {
  [CustomerOrderField.COMPANY_NAME]: { column: "c.company_name", value: (c) => c.companyName },
  [CustomerOrderField.CREATED_AT]: { column: "c.created_at", value: (c) => c.createdAt },
  // the viewer's billing profile's time (the joined relationship's), like `Customer.updatedAt`
  [CustomerOrderField.UPDATED_AT]: { column: "rel.updated_at", value: (c) => c.updatedAt },
};

/** The keyset order of `customers(orderBy:)` (both read paths). */
export function customerSortOrder(order: CustomerOrder | null | undefined): SortOrder<Customer> {
  const field = order?.field ?? CustomerOrderField.COMPANY_NAME;
  const direction = order?.direction ?? OrderDirection.ASC;
  const { column, value } = SORT_COLUMNS[field];
  return { name: `${field}_${direction}`, column, idColumn: "c.id", direction, value, id: (c) => c.id };
}

function uniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string })?.code === "23505";
}

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, length: number, options: crypto.ScryptOptions) => Promise<Buffer>;

/**
 * The temporary password is 96 random bits, so a brute-force search is out of
 * reach whatever the hash costs: scrypt with N = 2^12 (4 MB, a few ms) suffices,
 * runs in libuv's thread pool, and keeps memory low under concurrent creates.
 */
const SCRYPT = { N: 4096, r: 8, p: 1 };

async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$N=${SCRYPT.N},r=${SCRYPT.r},p=${SCRYPT.p}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

function temporaryPassword(): string {
  // upper, lower, digit and symbol guaranteed; the rest random
  return `Tmp-${crypto.randomBytes(12).toString("base64url")}9a`;
}

function billingSnapshot(c: Customer): Record<string, unknown> {
  return { ...c.billingProfile };
}

export class CustomerService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly partners: PartnerService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly indirect: IndirectRelationshipService,
  ) {}

  /**
   * The one place customer visibility is decided: a partner sees a customer
   * while it holds a relationship in the given status (ACTIVE unless a list
   * asks for REMOVED); a provider also sees the customers of its ACTIVE linked
   * resellers (`rel` is then the reseller's relationship, one row per customer,
   * the provider's own preferred). Every customer read starts here.
   */
  async scoped(ctx: RequestContext, status: RelationshipStatus = RelationshipStatus.ACTIVE, lookup: "list" | "byKey" = "list"): Promise<SelectQueryBuilder<Customer>> {
    const viewer = requireViewer(ctx);
    const qb = this.dataSource.getRepository(Customer).createQueryBuilder("c");
    const visible = await visiblePartnersOf(ctx, status, lookup, ":viewerPartnerId", (partnerIds) => {
      qb.setParameter("scopePartnerIds", partnerIds);
      return (partnerId) => `${partnerId} IN (:...scopePartnerIds)`;
    });
    // the joined relationship rides along on each customer (`scopeRelationship`), so `relationship` costs no statement
    return qb.innerJoinAndMapOne("c.scopeRelationship", CustomerRelationship, "rel", customerVisibility("c", "rel", { viewer: ":viewerPartnerId", status: ":relationshipStatus", visible }), {
      viewerPartnerId: viewer.partnerId,
      relationshipStatus: status,
    });
  }

  /**
   * Customers a scoped query returned carry their relationship row: the
   * per-request loaders of `relationship` and `linkedResellerOf` learn it from
   * them, and `customer(id)` finds them without another statement.
   */
  remember(ctx: RequestContext, customers: Customer[], byId: boolean): void {
    const viewer = requireViewer(ctx);
    for (const customer of customers) {
      const rel = customer.scopeRelationship;
      if (!rel) continue;
      const own = rel.partnerId === viewer.partnerId;
      this.relationshipLoader(ctx).prime(customer.id, own ? rel : null);
      if (!own) this.linkedResellerLoader(ctx).prime(customer.id, rel.partnerId);
      if (byId && rel.status === RelationshipStatus.ACTIVE) this.byIdLoader(ctx).prime(customer.id, customer);
    }
  }

  /**
   * For a write: the caller's own ACTIVE relationship with a customer, locked
   * (FOR SHARE lets concurrent sales proceed while a removal, which takes it
   * FOR UPDATE, waits for them and they for it). NOT_FOUND when the caller
   * does not see the customer; NO_RELATIONSHIP when it sees it only through a
   * linked reseller.
   */
  async lockOwnRelationship(
    manager: EntityManager,
    ctx: RequestContext,
    globalId: string,
    field: FieldPath,
    lock: "pessimistic_read" | "pessimistic_write",
  ): Promise<{ customer: Customer; relationship: CustomerRelationship }> {
    const viewer = requireViewer(ctx);
    const id = idOfType(globalId, "Customer");
    const relationship = id
      ? await manager
          .getRepository(CustomerRelationship)
          .createQueryBuilder("r")
          .where("r.partner_id = :partnerId AND r.customer_id = :id AND r.status = :active", { partnerId: viewer.partnerId, id, active: RelationshipStatus.ACTIVE })
          .setLock(lock)
          .getOne()
      : null;
    if (!relationship) {
      const seen = id ? await this.byId(ctx, id) : null;
      if (seen) throw UserErrors.of(UserErrorCode.NO_RELATIONSHIP, "You see this customer through a linked reseller; only a partner with its own relationship may change it.", field);
      throw UserErrors.of(UserErrorCode.NOT_FOUND, "No customer of yours has this id.", field);
    }
    const customer = await manager.getRepository(Customer).findOneByOrFail({ id: relationship.customerId });
    customer.scopeRelationship = relationship;
    return { customer, relationship };
  }

  /** A customer with one partner's relationship riding along (as `scoped` returns it), in one statement, inside a write. */
  private withRelationship(manager: EntityManager, customerId: string, partnerId: string): Promise<Customer> {
    return manager
      .getRepository(Customer)
      .createQueryBuilder("c")
      .innerJoinAndMapOne("c.scopeRelationship", CustomerRelationship, "rel", "rel.customer_id = c.id AND rel.partner_id = :partnerId", { partnerId })
      .where("c.id = :customerId", { customerId })
      .getOneOrFail();
  }

  /**
   * The providers whose view of a customer shows this partner's relationship
   * (the converse of `scoped`): ACTIVE linked providers without an ACTIVE
   * relationship of their own, for which this partner is the preferred
   * (lowest id) of their linked resellers serving the customer.
   */
  private async readersThrough(manager: EntityManager, customerId: string, partnerId: string): Promise<string[]> {
    const rows: { provider_id: string }[] = await manager.query(
      `SELECT l.provider_id FROM indirect_relationship l
        WHERE l.reseller_id = $2 AND l.status = 'ACTIVE'
          AND NOT EXISTS (SELECT 1 FROM customer_relationship own WHERE own.partner_id = l.provider_id AND own.customer_id = $1 AND own.status = 'ACTIVE')
          AND NOT EXISTS (SELECT 1 FROM customer_relationship pref
                            JOIN indirect_relationship pl ON pl.reseller_id = pref.partner_id AND pl.provider_id = l.provider_id AND pl.status = 'ACTIVE'
                           WHERE pref.customer_id = $1 AND pref.status = 'ACTIVE' AND pref.partner_id < $2)`,
      [customerId, partnerId],
    );
    return rows.map((r) => r.provider_id);
  }

  async list(ctx: RequestContext, filter: CustomerFilter | null | undefined, order: CustomerOrder | null | undefined, args: ConnectionArgs): Promise<Connection<Customer>> {
    const qb = await this.scoped(ctx, listedStatus(filter));
    for (const condition of customerFilterConditions(filter, namedParameters(qb, "f"), ":viewerPartnerId")) qb.andWhere(condition);
    const page = await paginate(qb, args, customerSortOrder(order));
    // nested fields (e.g. AuditRecord.customer) then find these customers without a query
    this.remember(ctx, page.nodes, true);
    return page;
  }

  private byIdLoader(ctx: RequestContext) {
    return ctx.loaders.get<string, Customer | null>("customer.byId", async (ids) => {
      const customers = await (await this.scoped(ctx, RelationshipStatus.ACTIVE, "byKey")).andWhere("c.id IN (:...ids)", { ids: [...ids] }).getMany();
      this.remember(ctx, customers, false);
      return alignOne(ids, customers, (c) => c.id);
    });
  }

  /** Visible customers by database id, batched per request. */
  byId(ctx: RequestContext, id: string): Promise<Customer | null> {
    return this.byIdLoader(ctx).load(id);
  }

  async byGlobalId(ctx: RequestContext, globalId: string): Promise<Customer | null> {
    const id = idOfType(globalId, "Customer");
    return id ? this.byId(ctx, id) : null;
  }

  async byDomain(ctx: RequestContext, domain: string): Promise<Customer | null> {
    const normalized = domain.trim().toLowerCase();
    if (!normalized || normalized.length > 255) return null;
    const customer = await (await this.scoped(ctx, RelationshipStatus.ACTIVE, "byKey"))
      .andWhere("c.id = (SELECT bd.customer_id FROM customer_domain bd WHERE bd.domain = :domain)", { domain: normalized })
      .getOne();
    if (customer) this.remember(ctx, [customer], true);
    return customer;
  }

  /** Every domain of a customer, the default first. */
  domains(ctx: RequestContext, customer: Customer): Promise<string[]> {
    return ctx.loaders
      .get<string, string[]>("customer.domains", async (ids) => {
        const rows = await this.dataSource
          .getRepository(CustomerDomain)
          .createQueryBuilder("d")
          .where("d.customer_id IN (:...ids)", { ids: [...ids] })
          .orderBy("d.is_default", "DESC")
          .addOrderBy("d.domain", "ASC")
          .getMany();
        return alignMany(ids, rows, (d) => d.customerId).map((list) => list.map((d) => d.domain));
      })
      .load(customer.id);
  }

  private relationshipLoader(ctx: RequestContext) {
    const viewer = requireViewer(ctx);
    return ctx.loaders.get<string, CustomerRelationship | null>("customer.relationship", async (ids) => {
      const rows = await this.dataSource
        .getRepository(CustomerRelationship)
        .createQueryBuilder("r")
        .where("r.partner_id = :partnerId AND r.customer_id IN (:...ids)", { partnerId: viewer.partnerId, ids: [...ids] })
        .getMany();
      return alignOne(ids, rows, (r) => r.customerId);
    });
  }

  /**
   * The caller's partner's relationship with a customer: known without a
   * statement (or a promise) when the query that found the customer joined it.
   */
  relationship(ctx: RequestContext, customer: Customer): CustomerRelationship | null | Promise<CustomerRelationship | null> {
    const joined = customer.scopeRelationship;
    if (joined) return joined.partnerId === requireViewer(ctx).partnerId ? joined : null;
    return this.relationshipLoader(ctx).load(customer.id);
  }

  /** The reseller shown on a customer: the one the caller's relationship names, or the linked reseller it is seen through. */
  indirectResellerIdOf(ctx: RequestContext, customer: Customer): string | null | Promise<string | null> {
    const joined = customer.scopeRelationship;
    if (joined) return joined.partnerId === requireViewer(ctx).partnerId ? joined.indirectResellerId : joined.partnerId;
    return then(this.relationship(ctx, customer), (own) => (own ? own.indirectResellerId : this.linkedResellerOf(ctx, customer.id)));
  }

  private linkedResellerLoader(ctx: RequestContext) {
    return ctx.loaders.get<string, string | null>("customer.linkedReseller", async (ids) => {
      const resellers = await this.partners.linkedResellerIds(ctx);
      if (resellers.length === 0) return ids.map(() => null);
      const rows = await this.dataSource
        .getRepository(CustomerRelationship)
        .createQueryBuilder("r")
        .where(`r.customer_id IN (:...ids) AND r.status = :active AND ${listedPartners(":provider", (partnerId) => `${partnerId} IN (:...resellers)`)("r.partner_id")}`, {
          ids: [...ids],
          active: RelationshipStatus.ACTIVE,
          resellers,
          provider: requireViewer(ctx).partnerId,
        })
        .orderBy("r.partner_id", "DESC")
        .getMany();
      // descending, so the lowest partner id (the one `scoped` keeps) is set last and wins
      return alignOne(ids, rows, (r) => r.customerId).map((r) => r?.partnerId ?? null);
    });
  }

  /**
   * The reseller a provider sees this customer through, when the provider
   * holds no relationship of its own (null for everyone else).
   */
  async linkedResellerOf(ctx: RequestContext, customerId: string): Promise<string | null> {
    if (!(await this.partners.viewerIsProvider(ctx))) return null;
    return this.linkedResellerLoader(ctx).load(customerId);
  }

  async domainAvailability(domain: string): Promise<DomainAvailability> {
    const normalized = domain.trim().toLowerCase();
    const prefix = prefixOfDomain(normalized);
    if (prefix === null || domainPrefixProblem(prefix) !== null) {
      return { domain: normalized, available: false, reason: UserErrorCode.INVALID_DOMAIN };
    }
    const taken = await this.dataSource.getRepository(CustomerDomain).existsBy({ domain: normalized });
    return { domain: normalized, available: !taken, reason: taken ? UserErrorCode.DOMAIN_TAKEN : null };
  }

  // ------------------------------------------------------------------ writes

  async create(ctx: RequestContext, input: CustomerCreateInput): Promise<{ customer: Customer; initialAdmin: InitialAdmin | null }> {
    const partner = await this.partners.current(ctx);
    // hashed before the transaction, so no connection or lock waits on scrypt
    const password = temporaryPassword();
    const passwordHash = await hashPassword(password);
    const outcome = await this.dataSource.transaction((manager) =>
      this.idempotency.run(manager, ctx, "customerCreate", input.idempotencyKey, input, async () => {
        const billing = cleanBillingProfile(input.billingProfile);
        const prefix = clean(input.companyProfile.domainPrefix) ?? "";
        const registrationNumber = clean(input.companyProfile.organizationRegistrationNumber);
        const problems: UserError[] = [];
        const domain = defaultDomainOf(prefix);
        const domainProblem = domainPrefixProblem(prefix);
        if (domainProblem) {
          problems.push(userError(UserErrorCode.INVALID_DOMAIN, domainProblem, ["companyProfile", "domainPrefix"]));
        } else if (await manager.getRepository(CustomerDomain).existsBy({ domain })) {
          problems.push(userError(UserErrorCode.DOMAIN_TAKEN, `${domain} is taken; check names with domainAvailability first.`, ["companyProfile", "domainPrefix"]));
        }
        problems.push(...registrationNumberProblems(registrationNumber, billing.address.country, ["companyProfile"]));
        problems.push(...billingProfileProblems(billing, partner, ["billingProfile"]));
        const resellerId = await this.indirect.activeResellerFor(manager, partner, input.indirectResellerId, ["indirectResellerId"], problems);
        if (problems.length > 0) throw new UserErrors(problems);

        const { customer, initialAdmin } = await this.insertCustomer(manager, ctx, partner.cloud, domain, registrationNumber, billing, resellerId, { password, passwordHash });
        return { result: { customer, initialAdmin }, stored: { customerId: customer.id } };
      }),
    );
    ctx.loaders.clearAll();
    // a replay shows the customer without its initial password: only a hash of it was stored
    return this.idempotency.created<{ customer: Customer; initialAdmin: InitialAdmin | null }>(
      outcome,
      "customerId",
      async (id) => {
        const customer = await this.byId(ctx, id);
        return customer && { customer, initialAdmin: null };
      },
      "customer",
    );
  }

  private async insertCustomer(
    manager: EntityManager,
    ctx: RequestContext,
    cloud: Customer["cloud"],
    domain: string,
    registrationNumber: string | null,
    billing: BillingProfileValues,
    resellerId: string | null,
    { password, passwordHash }: { password: string; passwordHash: string },
  ): Promise<{ customer: Customer; initialAdmin: InitialAdmin }> {
    const viewer = requireViewer(ctx);
    const userName = `admin@${domain}`;
    const id = crypto.randomUUID();
    try {
      await manager.insert(Customer, {
        id,
        tenantId: crypto.randomUUID(),
        cloud,
        companyName: billing.companyName,
        defaultDomain: domain,
        organizationRegistrationNumber: registrationNumber,
        qualification: CustomerQualification.NONE,
        ...registrationColumns(billing),
        initialAdminUserName: userName,
        initialAdminPasswordHash: passwordHash,
      });
      await manager.insert(CustomerDomain, { domain, customerId: id, isDefault: true });
    } catch (error) {
      if (uniqueViolation(error)) throw UserErrors.of(UserErrorCode.DOMAIN_TAKEN, `${domain} is taken.`, ["companyProfile", "domainPrefix"]);
      throw error;
    }
    // each partner gets its own copy of the billing profile given (a linked reseller too): from here on they change apart
    const relationship = { customerId: id, status: RelationshipStatus.ACTIVE, type: RelationshipType.RESELLER, establishedVia: EstablishedVia.CREATED, delegatedAdmin: true, billingProfile: billing };
    await manager.insert(CustomerRelationship, { ...relationship, id: crypto.randomUUID(), partnerId: viewer.partnerId, indirectResellerId: resellerId });
    if (resellerId) {
      await manager.insert(CustomerRelationship, { ...relationship, id: crypto.randomUUID(), partnerId: resellerId, indirectProviderId: viewer.partnerId });
    }
    const customer = await this.withRelationship(manager, id, viewer.partnerId);
    await this.audit.record(manager, ctx, {
      operationType: "add_customer",
      resourceType: "customer",
      customerId: id,
      newValue: {
        id: encodeGlobalId("Customer", id),
        tenantId: customer.tenantId,
        defaultDomain: domain,
        organizationRegistrationNumber: registrationNumber,
        billingProfile: billingSnapshot(customer),
        indirectResellerId: resellerId ? encodeGlobalId("Partner", resellerId) : null,
      },
    });
    return { customer, initialAdmin: { userName, temporaryPassword: password } };
  }

  /**
   * Changes only the caller's own relationship's billing profile (its etag,
   * its updatedAt): what other partners serving the tenant read stays as it
   * was. Audited in the caller's log, and in the log of any linked provider
   * that reads this profile through the caller (`readersThrough`).
   */
  async updateBillingProfile(ctx: RequestContext, input: CustomerBillingProfileUpdateInput): Promise<{ customer: Customer }> {
    const viewer = requireViewer(ctx);
    const partner = await this.partners.current(ctx);
    const customer = await this.dataSource.transaction(async (manager) => {
      // FOR UPDATE on the caller's relationship row, which holds the profile: concurrent updates of it queue, other partners' do not
      const { customer: current, relationship } = await this.lockOwnRelationship(manager, ctx, input.customerId, ["customerId"], "pessimistic_write");
      if (input.ifMatch != null && input.ifMatch !== current.etag) {
        throw UserErrors.of(UserErrorCode.STALE_ETAG, `The customer changed since you read it (etag is now ${current.etag}); read it again and retry.`, ["ifMatch"]);
      }
      const before = relationship.billingProfile;
      const patch = input.billingProfile;
      const merged = cleanBillingProfile({
        ...before,
        ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
        address: patch.address ?? before.address,
      });
      const problems = [
        ...billingProfileProblems(merged, partner, ["billingProfile"]),
        ...registrationNumberProblems(current.organizationRegistrationNumber, merged.address.country, ["billingProfile", "address", "country"]).map((e) => ({
          ...e,
          field: ["input", "billingProfile", "address", "country"],
        })),
      ];
      if (problems.length > 0) throw new UserErrors(problems);
      await manager
        .createQueryBuilder()
        .update(CustomerRelationship)
        .set({ billingProfile: merged, version: () => "version + 1", updatedAt: () => "now()" })
        .where("id = :id", { id: relationship.id })
        .execute();
      const updated = await this.withRelationship(manager, current.id, viewer.partnerId);
      const entry = {
        operationType: "update_customer_billing_profile",
        resourceType: "customer",
        customerId: current.id,
        oldValue: billingSnapshot(current),
        newValue: billingSnapshot(updated),
      };
      await this.audit.record(manager, ctx, entry);
      const readers = await this.readersThrough(manager, current.id, viewer.partnerId);
      for (const providerId of readers) {
        await this.audit.record(manager, ctx, { ...entry, on: { partnerId: providerId, actor: { userId: viewer.userId, email: viewer.email ?? "", roles: [...viewer.roles] } } });
      }
      return updated;
    });
    ctx.loaders.clearAll();
    return { customer };
  }
}

/** The customer's registration columns: the billing profile given when the tenant was created. */
function registrationColumns(b: BillingProfileValues) {
  return {
    registeredCulture: b.culture,
    registeredLanguage: b.language,
    billingFirstName: b.firstName,
    billingLastName: b.lastName,
    billingEmail: b.email,
    billingPhoneNumber: b.phoneNumber,
    addressLine1: b.address.addressLine1,
    addressLine2: b.address.addressLine2,
    city: b.address.city,
    state: b.address.state,
    postalCode: b.address.postalCode,
    registeredCountry: b.address.country,
  };
}
