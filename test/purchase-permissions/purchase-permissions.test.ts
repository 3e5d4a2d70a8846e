import { codesOf, PERMISSION_GRANT, PERMISSION_REVOKE } from "../support/fixtures";
import { dataOf, PartnerRole, TestApp } from "../support/harness";
import { customerWithSubscriptions, dbIdOf, globalIdOf } from "../support/kit";

/** Purchase permissions: off by default, granted on an active Azure plan, revoked by deletion. */
let app: TestApp;
const aa = () => app.as("contoso", PartnerRole.ADMIN_AGENT);

beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());

const customerWith = (...kinds: string[]) => customerWithSubscriptions(aa(), kinds);

const grant = async (input: Record<string, unknown>, caller = aa()) => dataOf(await caller.run(PERMISSION_GRANT, { input })).purchasePermissionGrant;
const revoke = async (id: string, caller = aa()) => dataOf(await caller.run(PERMISSION_REVOKE, { input: { id } })).purchasePermissionRevoke;

describe("purchasePermissionGrant", () => {
  it("grants on the customer's active Azure plan, shows it on the customer, and audits create_self_serve_policy", async () => {
    const customer = await customerWith("LICENSE", "AZURE_PLAN");
    const plan = customer.subscriptions[1]!;
    const result = await grant({ customerId: customer.id, resource: "AZURE_RESERVATIONS" });
    expect(result).toEqual({
      purchasePermission: { id: expect.any(String), resource: "AZURE_RESERVATIONS", action: "PURCHASE", subscription: { id: plan.id }, grantedBy: { email: "admin.agent@contoso.example" }, customer: { id: customer.id } },
      userErrors: [],
    });
    const listed = dataOf(await app.as("contoso", PartnerRole.HELPDESK_AGENT).run(`query($id: ID!) { customer(id: $id) { purchasePermissions { id resource } } }`, { id: customer.id })).customer;
    expect(listed.purchasePermissions).toEqual([{ id: result.purchasePermission.id, resource: "AZURE_RESERVATIONS" }]);
    const [audit] = await app.sql(`SELECT operation_type, resource_type, new_value FROM audit_record WHERE customer_id = $1 AND resource_type = 'purchase_permission'`, [dbIdOf(customer.id)]);
    expect(audit).toMatchObject({ operation_type: "create_self_serve_policy", new_value: { id: result.purchasePermission.id, resource: "AZURE_RESERVATIONS" } });
    // a second resource is a separate grant; the same one again is ALREADY_GRANTED
    expect((await grant({ customerId: customer.id, resource: "AZURE_SAVINGS_PLANS", subscriptionId: plan.id })).userErrors).toEqual([]);
    expect(codesOf((await grant({ customerId: customer.id, resource: "AZURE_RESERVATIONS" })).userErrors)).toEqual([{ code: "ALREADY_GRANTED", field: "input.resource" }]);
  });

  it("needs an active Azure plan of that customer (NO_AZURE_PLAN)", async () => {
    const none = await customerWith("LICENSE");
    expect(codesOf((await grant({ customerId: none.id, resource: "AZURE_RESERVATIONS" })).userErrors)).toEqual([{ code: "NO_AZURE_PLAN", field: "input.customerId" }]);
    expect(codesOf((await grant({ customerId: none.id, resource: "AZURE_RESERVATIONS", subscriptionId: none.subscriptions[0]!.id })).userErrors)).toEqual([
      { code: "NO_AZURE_PLAN", field: "input.subscriptionId" },
    ]);
    const suspended = await customerWith("AZURE_PLAN");
    await aa().run(`mutation($input: SubscriptionSuspendInput!) { subscriptionSuspend(input: $input) { userErrors { code } } }`, { input: { id: suspended.subscriptions[0]!.id } });
    expect(codesOf((await grant({ customerId: suspended.id, resource: "AZURE_RESERVATIONS" })).userErrors)).toEqual([{ code: "NO_AZURE_PLAN", field: "input.customerId" }]);
    const other = await customerWith("AZURE_PLAN");
    expect(codesOf((await grant({ customerId: none.id, resource: "AZURE_RESERVATIONS", subscriptionId: other.subscriptions[0]!.id })).userErrors)).toEqual([
      { code: "NO_AZURE_PLAN", field: "input.subscriptionId" },
    ]);
    expect(await app.sql(`SELECT id FROM purchase_permission WHERE customer_id = ANY($1::uuid[])`, [[dbIdOf(none.id), dbIdOf(suspended.id)]])).toEqual([]);
  });

  it("needs an ACTIVE relationship: NOT_FOUND for a removed or another partner's customer", async () => {
    const customer = await customerWith("AZURE_PLAN");
    await app.sql(`UPDATE customer_relationship SET status = 'REMOVED', removed_at = now() WHERE customer_id = $1`, [dbIdOf(customer.id)]);
    expect(codesOf((await grant({ customerId: customer.id, resource: "AZURE_RESERVATIONS" })).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.customerId" }]);
    expect(codesOf((await grant({ customerId: customer.id, resource: "AZURE_RESERVATIONS" }, app.as("adatum", PartnerRole.ADMIN_AGENT))).userErrors)).toEqual([
      { code: "NOT_FOUND", field: "input.customerId" },
    ]);
  });

  it("returns the first grant for a repeated idempotency key", async () => {
    const customer = await customerWith("AZURE_PLAN");
    const first = await grant({ customerId: customer.id, resource: "AZURE_RESERVATIONS", idempotencyKey: "grant-1" });
    const second = await grant({ customerId: customer.id, resource: "AZURE_RESERVATIONS", idempotencyKey: "grant-1" });
    expect(second.userErrors).toEqual([]);
    expect(second.purchasePermission.id).toBe(first.purchasePermission.id);
  });
});

describe("purchasePermissionRevoke", () => {
  it("deletes the grant, returns its id, audits delete_self_serve_policy; a second revoke and another partner's revoke are NOT_FOUND", async () => {
    const customer = await customerWith("AZURE_PLAN");
    const granted = (await grant({ customerId: customer.id, resource: "AZURE_RESERVATIONS" })).purchasePermission;
    expect(codesOf((await revoke(granted.id, app.as("adatum", PartnerRole.ADMIN_AGENT))).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
    expect(await revoke(granted.id)).toEqual({ revokedPurchasePermissionId: granted.id, userErrors: [] });
    expect(await app.sql(`SELECT id FROM purchase_permission WHERE id = $1`, [dbIdOf(granted.id)])).toEqual([]);
    expect(codesOf((await revoke(granted.id)).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
    const ops = await app.sql(`SELECT operation_type FROM audit_record WHERE customer_id = $1 AND resource_type = 'purchase_permission' ORDER BY at`, [dbIdOf(customer.id)]);
    expect(ops.map((o: any) => o.operation_type)).toEqual(["create_self_serve_policy", "delete_self_serve_policy"]);
    // granting again after a revoke is allowed
    expect((await grant({ customerId: customer.id, resource: "AZURE_RESERVATIONS" })).userErrors).toEqual([]);
  });
});

describe("roles", () => {
  it("lets only Admin agents grant and revoke; everyone else gets FORBIDDEN and nothing changes", async () => {
    const customer = await customerWith("AZURE_PLAN");
    const granted = (await grant({ customerId: customer.id, resource: "AZURE_RESERVATIONS" })).purchasePermission;
    for (const role of Object.values(PartnerRole).filter((r) => r !== PartnerRole.ADMIN_AGENT)) {
      const result = await app.as("contoso", role).run(
        `mutation($g: PurchasePermissionGrantInput!, $r: PurchasePermissionRevokeInput!) { purchasePermissionGrant(input: $g) { userErrors { code } } purchasePermissionRevoke(input: $r) { userErrors { code } } }`,
        { g: { customerId: customer.id, resource: "AZURE_SAVINGS_PLANS" }, r: { id: granted.id } },
      );
      expect(result.data).toEqual({ purchasePermissionGrant: null, purchasePermissionRevoke: null });
      expect(result.errors?.map((e) => [e.path?.join("."), e.extensions?.code])).toEqual([
        ["purchasePermissionGrant", "FORBIDDEN"],
        ["purchasePermissionRevoke", "FORBIDDEN"],
      ]);
    }
    const rows = await app.sql(`SELECT resource FROM purchase_permission WHERE customer_id = $1`, [dbIdOf(customer.id)]);
    expect(rows).toEqual([{ resource: "AZURE_RESERVATIONS" }]);
  });
});

describe("grant and revoke racing", () => {
  it("leave the table and the audit log consistent: the last audited operation matches what exists", async () => {
    const customer = await customerWith("AZURE_PLAN");
    let current = (await grant({ customerId: customer.id, resource: "AZURE_RESERVATIONS" })).purchasePermission.id;
    for (let round = 0; round < 6; round++) {
      const results = await Promise.all([revoke(current), grant({ customerId: customer.id, resource: "AZURE_RESERVATIONS" }), revoke(current), grant({ customerId: customer.id, resource: "AZURE_RESERVATIONS" })]);
      for (const r of results) {
        for (const e of r.userErrors) expect(["NOT_FOUND", "ALREADY_GRANTED"]).toContain(e.code);
      }
      const rows = await app.sql(`SELECT id FROM purchase_permission WHERE customer_id = $1`, [dbIdOf(customer.id)]);
      expect(rows.length).toBeLessThanOrEqual(1);
      const audits = await app.sql(`SELECT operation_type, old_value, new_value FROM audit_record WHERE customer_id = $1 AND resource_type = 'purchase_permission' ORDER BY at, id`, [
        dbIdOf(customer.id),
      ]);
      // replaying the audit log gives exactly the table's state
      let held: string | null = null;
      for (const a of audits) {
        if (a.operation_type === "create_self_serve_policy") {
          expect(held).toBeNull();
          held = a.new_value.id;
        } else {
          expect(a.old_value.id).toBe(held);
          held = null;
        }
      }
      expect(held ? [dbIdOf(held)] : []).toEqual(rows.map((r: any) => r.id));
      if (rows.length === 0) current = (await grant({ customerId: customer.id, resource: "AZURE_RESERVATIONS" })).purchasePermission.id;
      else current = globalIdOf("PurchasePermission", rows[0].id);
    }
  });
});
