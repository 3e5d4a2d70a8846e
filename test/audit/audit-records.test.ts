import { dataOf, PartnerRole, TestApp } from "../support/harness";
import { customerWithSubscriptions } from "../support/kit";

/** The audit log as a partner app reads it: filters, time windows, the caller's partner only. */
let app: TestApp;
let customerId: string;
beforeAll(async () => {
  app = await TestApp.start();
  customerId = (await customerWithSubscriptions(agent())).id;
});
afterAll(() => app?.close());

const agent = () => app.as("contoso", PartnerRole.ADMIN_AGENT);
const CREATE = `mutation($input: SubscriptionCreateInput!) { subscriptionCreate(input: $input) { subscription { id } userErrors { code field } } }`;

async function sell(kind = "LICENSE", extra: Record<string, unknown> = {}) {
  return dataOf(await agent().run(CREATE, { input: { customerId, offerName: "Microsoft 365 E3", kind, quantity: 10, ...extra } })).subscriptionCreate;
}

describe("audit records", () => {
  it("filter by operation type and time window; a failed mutation writes none", async () => {
    const before = new Date().toISOString();
    await sell("LICENSE", { quantity: -5 });
    await sell();
    const result = dataOf(
      await agent().run(`query($from: DateTime!) { auditRecords(filter: { from: $from, operationType: "create_subscription" }) { totalCount nodes { resourceType customer { id } } } }`, { from: before }),
    ).auditRecords;
    expect(result.totalCount).toBe(1);
    expect(result.nodes[0]).toEqual({ resourceType: "subscription", customer: { id: customerId } });
  });

  it("are only the caller's partner's", async () => {
    const theirs = dataOf(await app.as("adatum", PartnerRole.GLOBAL_ADMIN).run(`query($id: ID!) { auditRecords(filter: { customerId: $id }) { totalCount } }`, { id: customerId }));
    expect(theirs.auditRecords.totalCount).toBe(0);
  });
});
