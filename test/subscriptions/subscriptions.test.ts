import { customerInput, CUSTOMER_CREATE } from "../support/fixtures";
import { dataOf, PartnerRole, TestApp } from "../support/harness";
import { dbIdOf } from "../support/kit";

let app: TestApp;
let customerId: string;
beforeAll(async () => {
  app = await TestApp.start();
  customerId = dataOf(await agent().run(CUSTOMER_CREATE, { input: customerInput() })).customerCreate.customer.id;
});
afterAll(() => app?.close());

const agent = () => app.as("contoso", PartnerRole.ADMIN_AGENT);
const CREATE = `mutation($input: SubscriptionCreateInput!) { subscriptionCreate(input: $input) { subscription { id offerName kind quantity status } userErrors { code field } } }`;
const SUSPEND = `mutation($id: ID!) { subscriptionSuspend(input: { id: $id }) { subscription { id status } userErrors { code field } } }`;
const REACTIVATE = `mutation($id: ID!) { subscriptionReactivate(input: { id: $id }) { subscription { id status } userErrors { code field } } }`;

async function sell(kind = "LICENSE", extra: Record<string, unknown> = {}) {
  return dataOf(await agent().run(CREATE, { input: { customerId, offerName: "Microsoft 365 E3", kind, quantity: 10, ...extra } })).subscriptionCreate;
}

describe("subscriptions", () => {
  it.each(["LICENSE", "AZURE_PLAN", "AZURE_RESERVATION", "SOFTWARE"])("sells a %s subscription, ACTIVE, listed on the customer", async (kind) => {
    const payload = await sell(kind);
    expect(payload.userErrors).toEqual([]);
    expect(payload.subscription).toMatchObject({ kind, status: "ACTIVE", quantity: 10 });
    const listed = dataOf(await agent().run(`query($id: ID!) { customer(id: $id) { subscriptions(first: 50) { totalCount nodes { id } } } }`, { id: customerId }));
    expect(listed.customer.subscriptions.nodes.map((n: { id: string }) => n.id)).toContain(payload.subscription.id);
  });

  it("moves ACTIVE → SUSPENDED → ACTIVE and refuses the other transitions with INVALID_STATE_TRANSITION", async () => {
    const { subscription } = await sell();
    expect(dataOf(await agent().run(REACTIVATE, { id: subscription.id })).subscriptionReactivate.userErrors).toEqual([{ code: "INVALID_STATE_TRANSITION", field: ["input", "id"] }]);
    expect(dataOf(await agent().run(SUSPEND, { id: subscription.id })).subscriptionSuspend.subscription.status).toBe("SUSPENDED");
    expect(dataOf(await agent().run(SUSPEND, { id: subscription.id })).subscriptionSuspend.userErrors).toEqual([{ code: "INVALID_STATE_TRANSITION", field: ["input", "id"] }]);
    expect(dataOf(await agent().run(REACTIVATE, { id: subscription.id })).subscriptionReactivate.subscription.status).toBe("ACTIVE");
  });

  it("never changes a CANCELLED subscription", async () => {
    const { subscription } = await sell();
    await app.sql("UPDATE subscription SET status = 'CANCELLED' WHERE id = $1", [dbIdOf(subscription.id)]);
    expect(dataOf(await agent().run(SUSPEND, { id: subscription.id })).subscriptionSuspend.userErrors[0].code).toBe("INVALID_STATE_TRANSITION");
    expect(dataOf(await agent().run(REACTIVATE, { id: subscription.id })).subscriptionReactivate.userErrors[0].code).toBe("INVALID_STATE_TRANSITION");
  });

  it("validates offer name and quantity", async () => {
    const payload = await sell("LICENSE", { offerName: " ", quantity: 0 });
    expect(payload.userErrors).toEqual([
      { code: "REQUIRED", field: ["input", "offerName"] },
      { code: "INVALID", field: ["input", "quantity"] },
    ]);
  });

  it("replays an idempotent sale", async () => {
    const first = await sell("LICENSE", { idempotencyKey: "sale-1" });
    const again = await sell("LICENSE", { idempotencyKey: "sale-1" });
    expect(again.subscription.id).toBe(first.subscription.id);
    expect((await sell("LICENSE", { idempotencyKey: "sale-1", quantity: 11 })).userErrors).toEqual([{ code: "IDEMPOTENCY_KEY_REUSED", field: ["input", "idempotencyKey"] }]);
  });

  it("writes one audit record per change, in order", async () => {
    const { subscription } = await sell();
    await agent().run(SUSPEND, { id: subscription.id });
    await agent().run(REACTIVATE, { id: subscription.id });
    const records = dataOf(
      await agent().run(`query($id: ID!) { auditRecords(last: 3, filter: { customerId: $id, resourceType: "subscription" }) { nodes { operationType oldValue newValue } } }`, { id: customerId }),
    ).auditRecords.nodes;
    expect(records.map((r: any) => r.operationType)).toEqual(["create_subscription", "suspend_subscription", "reactivate_subscription"]);
    expect(records[1].oldValue.status).toBe("ACTIVE");
    expect(records[1].newValue.status).toBe("SUSPENDED");
  });

  it("pages a customer's subscriptions with cursors and counts them", async () => {
    const page1 = dataOf(await agent().run(`query($id: ID!) { customer(id: $id) { subscriptions(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } } }`, { id: customerId }))
      .customer.subscriptions;
    expect(page1.nodes).toHaveLength(2);
    expect(page1.totalCount).toBeGreaterThan(2);
    const page2 = dataOf(
      await agent().run(`query($id: ID!, $after: String) { customer(id: $id) { subscriptions(first: 2, after: $after) { nodes { id } } } }`, { id: customerId, after: page1.pageInfo.endCursor }),
    ).customer.subscriptions;
    expect(page2.nodes.map((n: any) => n.id)).not.toContain(page1.nodes[0].id);
  });
});

describe("node", () => {
  it("fetches every node type by global id, and nodes keeps the order asked", async () => {
    const { subscription } = await sell();
    const viewer = dataOf(await agent().run(`{ viewer { user { id } partner { id } } }`)).viewer;
    const audit = dataOf(await agent().run(`{ auditRecords(last: 1) { nodes { id } } }`)).auditRecords.nodes[0];
    const result = dataOf(
      await agent().run(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids: [subscription.id, customerId, viewer.user.id, viewer.partner.id, audit.id, "garbage"] }),
    );
    expect(result.nodes.map((n: any) => n?.__typename ?? null)).toEqual(["Subscription", "Customer", "PartnerUser", "Partner", "AuditRecord", null]);
  });

  it("refuses more than 100 ids", async () => {
    const result = await agent().run(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: Array(101).fill(customerId) });
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
