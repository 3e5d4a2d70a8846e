import { codesOf, customerInput, CUSTOMER_CREATE, PERMISSION_GRANT, RELATIONSHIP_REMOVE, SUBSCRIPTION_CREATE } from "../support/fixtures";
import { dataOf, PartnerRole, TestApp } from "../support/harness";
import { customerWithSubscriptions, dbIdOf } from "../support/kit";

/** relationshipRemove: ACTIVE → REMOVED with DOMAIN.md's rules, in one transaction. */
let app: TestApp;
const ga = () => app.as("contoso", PartnerRole.GLOBAL_ADMIN);
const aa = () => app.as("contoso", PartnerRole.ADMIN_AGENT);

beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());

const newCustomer = (...kinds: string[]) => customerWithSubscriptions(ga(), kinds);

const remove = async (customerId: string, suspendActiveSubscriptions?: boolean, caller = ga()) =>
  dataOf(await caller.run(RELATIONSHIP_REMOVE, { input: { customerId, ...(suspendActiveSubscriptions === undefined ? {} : { suspendActiveSubscriptions }) } })).relationshipRemove;

describe("relationshipRemove", () => {
  it("removes a relationship without active subscriptions: the customer leaves the list, shows under REMOVED, delegated admin is gone, the audit log keeps it", async () => {
    const customer = await newCustomer();
    const result = await remove(customer.id);
    expect(result).toEqual({ removedCustomerId: customer.id, suspendedSubscriptions: [], userErrors: [] });
    expect(dataOf(await ga().run(`query($id: ID!) { customer(id: $id) { id } node(id: $id) { id } }`, { id: customer.id }))).toEqual({ customer: null, node: null });
    const active = dataOf(await ga().run(`{ customers(first: 500) { nodes { id } } }`)).customers.nodes.map((n: any) => n.id);
    expect(active).not.toContain(customer.id);
    const removed = dataOf(await ga().run(`{ customers(first: 500, filter: { relationshipStatus: REMOVED }) { nodes { id relationship { status delegatedAdmin removedAt } } } }`)).customers.nodes;
    expect(removed.find((n: any) => n.id === customer.id)).toEqual({ id: customer.id, relationship: { status: "REMOVED", delegatedAdmin: false, removedAt: expect.any(String) } });
    const audit = dataOf(
      await ga().run(`query($id: ID!) { auditRecords(filter: { customerId: $id, operationType: "remove_partner_customer_relationship" }) { nodes { resourceType oldValue newValue actor { roles } } } }`, {
        id: customer.id,
      }),
    ).auditRecords.nodes;
    expect(audit).toEqual([
      {
        resourceType: "customer_relationship",
        oldValue: expect.objectContaining({ status: "ACTIVE", delegatedAdmin: true }),
        newValue: { status: "REMOVED", delegatedAdmin: false, suspendedSubscriptionIds: [] },
        actor: { roles: ["GLOBAL_ADMIN"] },
      },
    ]);
  });

  it("refuses while license or Azure plan subscriptions are active (ACTIVE_SUBSCRIPTIONS) and changes nothing", async () => {
    const customer = await newCustomer("LICENSE", "AZURE_PLAN");
    for (const flag of [undefined, false]) {
      const result = await remove(customer.id, flag);
      expect(result.removedCustomerId).toBeNull();
      expect(result.suspendedSubscriptions).toEqual([]);
      expect(codesOf(result.userErrors)).toEqual([{ code: "ACTIVE_SUBSCRIPTIONS", field: "input.suspendActiveSubscriptions" }]);
    }
    const [rel] = await app.sql(`SELECT status FROM customer_relationship WHERE customer_id = $1`, [dbIdOf(customer.id)]);
    expect(rel.status).toBe("ACTIVE");
  });

  it("with suspendActiveSubscriptions suspends license and Azure plan subscriptions, revokes purchase permissions, in the same transaction", async () => {
    const customer = await newCustomer("LICENSE", "AZURE_PLAN");
    const grant = dataOf(await aa().run(PERMISSION_GRANT, { input: { customerId: customer.id, resource: "AZURE_RESERVATIONS" } })).purchasePermissionGrant;
    expect(grant.userErrors).toEqual([]);
    const result = await remove(customer.id, true);
    expect(result.userErrors).toEqual([]);
    expect(result.suspendedSubscriptions.map((s: any) => [s.kind, s.status])).toEqual([
      ["LICENSE", "SUSPENDED"],
      ["AZURE_PLAN", "SUSPENDED"],
    ]);
    const subs = await app.sql(`SELECT status FROM subscription WHERE customer_id = $1`, [dbIdOf(customer.id)]);
    expect(subs.every((s: any) => s.status === "SUSPENDED")).toBe(true);
    expect(await app.sql(`SELECT id FROM purchase_permission WHERE customer_id = $1`, [dbIdOf(customer.id)])).toEqual([]);
    const [audit] = await app.sql(`SELECT old_value, new_value FROM audit_record WHERE customer_id = $1 AND operation_type = 'remove_partner_customer_relationship'`, [dbIdOf(customer.id)]);
    expect(audit.old_value.purchasePermissions).toHaveLength(1);
    expect(audit.new_value.suspendedSubscriptionIds).toHaveLength(2);
  });

  it("writes a record of its own for every revoked permission and suspended subscription: the change feed of each resource type sees them", async () => {
    const customer = await newCustomer("LICENSE", "AZURE_PLAN");
    const granted = [];
    for (const resource of ["AZURE_RESERVATIONS", "AZURE_SAVINGS_PLANS"]) {
      granted.push(dataOf(await aa().run(PERMISSION_GRANT, { input: { customerId: customer.id, resource } })).purchasePermissionGrant.purchasePermission);
    }
    const feed = async (resourceType: string, operationType: string) =>
      dataOf(
        await ga().run(
          `query($id: ID!, $r: String!, $o: String!) { auditRecords(first: 50, filter: { customerId: $id, resourceType: $r, operationType: $o }) { totalCount nodes { customer { id } oldValue newValue actor { roles } } } }`,
          { id: customer.id, r: resourceType, o: operationType },
        ),
      ).auditRecords;
    const before = dataOf(await ga().run(`query($id: ID!) { auditRecords(filter: { customerId: $id }) { totalCount } }`, { id: customer.id })).auditRecords.totalCount;
    expect((await remove(customer.id, true)).userErrors).toEqual([]);

    // a partner app following auditRecords(filter: { resourceType: "purchase_permission" }) learns of both revocations
    const revocations = await feed("purchase_permission", "delete_self_serve_policy");
    expect(revocations.totalCount).toBe(2);
    expect(revocations.nodes.map((n: any) => [n.oldValue.id, n.oldValue.resource, n.newValue]).sort()).toEqual(granted.map((p: any) => [p.id, p.resource, null]).sort());
    expect(revocations.nodes.every((n: any) => n.customer === null && n.actor.roles[0] === "GLOBAL_ADMIN")).toBe(true); // the customer is no longer visible
    // and one following resourceType "subscription" of both suspensions, as subscriptionSuspend writes them
    const suspensions = await feed("subscription", "suspend_subscription");
    expect(suspensions.totalCount).toBe(2);
    // records written in one transaction share its time: compare as sets
    const suspended = suspensions.nodes.map((n: any) => [n.oldValue.id, n.oldValue.status, n.newValue.status]).sort();
    expect(suspended).toEqual(customer.subscriptions.map((s) => [s.id, "ACTIVE", "SUSPENDED"]).sort());
    // the removal wrote 1 (relationship) + 2 (permissions) + 2 (subscriptions) records, all in its transaction
    const after = dataOf(await ga().run(`query($id: ID!) { auditRecords(filter: { customerId: $id }) { totalCount } }`, { id: customer.id })).auditRecords.totalCount;
    expect(after - before).toBe(5);
  });

  it("writes none of those records when it is refused", async () => {
    const customer = await newCustomer("AZURE_PLAN", "SOFTWARE");
    expect(dataOf(await aa().run(PERMISSION_GRANT, { input: { customerId: customer.id, resource: "AZURE_RESERVATIONS" } })).purchasePermissionGrant.userErrors).toEqual([]);
    const ops = async () => (await app.sql(`SELECT operation_type FROM audit_record WHERE customer_id = $1 ORDER BY at, id`, [dbIdOf(customer.id)])).map((r: any) => r.operation_type);
    const before = await ops();
    expect(codesOf((await remove(customer.id, true)).userErrors)).toEqual([{ code: "ACTIVE_RESERVATIONS_OR_SOFTWARE", field: "input.customerId" }]);
    expect(await ops()).toEqual(before);
    expect(await app.sql(`SELECT id FROM purchase_permission WHERE customer_id = $1`, [dbIdOf(customer.id)])).toHaveLength(1);
  });

  it.each(["AZURE_RESERVATION", "SOFTWARE"])("always refuses while a %s subscription is active (ACTIVE_RESERVATIONS_OR_SOFTWARE), suspending nothing", async (kind) => {
    const customer = await newCustomer("LICENSE", kind);
    const result = await remove(customer.id, true);
    expect(codesOf(result.userErrors)).toEqual([{ code: "ACTIVE_RESERVATIONS_OR_SOFTWARE", field: "input.customerId" }]);
    const subs = await app.sql(`SELECT status FROM subscription WHERE customer_id = $1`, [dbIdOf(customer.id)]);
    expect(subs.every((s: any) => s.status === "ACTIVE")).toBe(true);
  });

  it("refuses a relationship that is not active, an unknown id and another partner's customer with NOT_FOUND", async () => {
    const customer = await newCustomer();
    expect((await remove(customer.id)).userErrors).toEqual([]);
    expect(codesOf((await remove(customer.id)).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.customerId" }]);
    expect(codesOf((await remove("bm90aGluZw")).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.customerId" }]);
    const theirs = dataOf(await app.as("adatum", PartnerRole.GLOBAL_ADMIN).run(`{ customers(first: 1) { nodes { id } } }`)).customers.nodes[0].id;
    expect(codesOf((await remove(theirs)).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.customerId" }]);
    const [rel] = await app.sql(`SELECT r.status FROM customer_relationship r JOIN partner p ON p.id = r.partner_id AND p.mpn_id = '1000006' WHERE r.customer_id = $1`, [dbIdOf(theirs)]);
    expect(rel.status).toBe("ACTIVE");
  });

  it("is for Global admins only", async () => {
    const customer = await newCustomer();
    for (const role of Object.values(PartnerRole).filter((r) => r !== PartnerRole.GLOBAL_ADMIN)) {
      const result = await app.as("contoso", role).run(RELATIONSHIP_REMOVE, { input: { customerId: customer.id } });
      expect(result.data?.relationshipRemove).toBeNull();
      expect(result.errors?.[0]).toMatchObject({ path: ["relationshipRemove"], extensions: { code: "FORBIDDEN" } });
    }
    const [rel] = await app.sql(`SELECT status FROM customer_relationship WHERE customer_id = $1`, [dbIdOf(customer.id)]);
    expect(rel.status).toBe("ACTIVE");
  });

  it("leaves the other partner's relationship in place when one of two partners serving a customer removes its own", async () => {
    const northwind = dataOf(await app.as("northwind", PartnerRole.GLOBAL_ADMIN).run(`{ viewer { partner { id } } }`)).viewer.partner.id;
    const created = dataOf(await app.as("fabrikam", PartnerRole.GLOBAL_ADMIN).run(CUSTOMER_CREATE, { input: customerInput({ indirectResellerId: northwind }) })).customerCreate.customer;
    expect((await remove(created.id, false, app.as("fabrikam", PartnerRole.GLOBAL_ADMIN))).userErrors).toEqual([]);
    const still = dataOf(await app.as("northwind", PartnerRole.GLOBAL_ADMIN).run(`query($id: ID!) { customer(id: $id) { relationship { status } indirectProvider { name } } }`, { id: created.id }))
      .customer;
    expect(still).toEqual({ relationship: { status: "ACTIVE" }, indirectProvider: { name: "Fabrikam Distribution" } });
  });
});

describe("relationshipRemove racing subscriptionCreate", () => {
  it("never leaves an active subscription on a removed relationship", async () => {
    for (let round = 0; round < 8; round++) {
      const customer = await newCustomer();
      const [removal, sale] = await Promise.all([
        remove(customer.id),
        ga().run(SUBSCRIPTION_CREATE, { input: { customerId: customer.id, offerName: "Microsoft 365 E3", kind: "LICENSE", quantity: 2 } }).then((r) => dataOf(r).subscriptionCreate),
      ]);
      const [rel] = await app.sql(`SELECT status FROM customer_relationship WHERE customer_id = $1`, [dbIdOf(customer.id)]);
      const active = await app.sql(`SELECT id FROM subscription WHERE customer_id = $1 AND status = 'ACTIVE'`, [dbIdOf(customer.id)]);
      if (rel.status === "REMOVED") {
        expect(removal.userErrors).toEqual([]);
        expect(active).toEqual([]);
        expect(codesOf(sale.userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.customerId" }]);
      } else {
        // the sale won: the removal saw the active subscription and refused
        expect(codesOf(removal.userErrors)).toEqual([{ code: "ACTIVE_SUBSCRIPTIONS", field: "input.suspendActiveSubscriptions" }]);
        expect(active).toHaveLength(1);
        expect(sale.userErrors).toEqual([]);
      }
    }
  });
});
