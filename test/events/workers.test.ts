import { Clock } from "../../src/modules/referrals/clock";
import { BILLING_UPDATE, customerInput, CUSTOMER_CREATE } from "../support/fixtures";
import { dataOf, PartnerRole, TestApp } from "../support/harness";
import { createWebhook, TestReceiver, workerFor } from "./support";

/** Several workers on one database share the work: no delivery is sent twice at once, none is lost. */
let app: TestApp;
let receiver: TestReceiver;
beforeAll(async () => {
  app = await TestApp.start();
  receiver = new TestReceiver([204], 15);
});
afterAll(async () => {
  await receiver?.stop();
  await app?.close();
});

async function waitFor(check: () => Promise<boolean>, rounds = 1000): Promise<void> {
  for (let i = 0; i < rounds && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
}

describe("two workers on one database", () => {
  it("deliver every event exactly once between them, never one event by both at the same moment", async () => {
    const url = await receiver.start();
    await createWebhook(app, url, ["customer.created"]);
    const clock = new Clock(); // the system clock: both workers run for real, woken by NOTIFY
    const workers = [await workerFor(app, clock, { concurrency: 4, pollMs: 50 }, true), await workerFor(app, clock, { concurrency: 4, pollMs: 50 }, true)];
    await Promise.all(workers.map((w) => w.start()));
    try {
      const caller = app.as("contoso", PartnerRole.ADMIN_AGENT);
      const created = await Promise.all(Array.from({ length: 30 }, async () => dataOf(await caller.run(CUSTOMER_CREATE, { input: customerInput() })).customerCreate.customer.id));
      await waitFor(async () => (await app.sql(`SELECT count(*)::int AS n FROM webhook_delivery WHERE status = 'DELIVERED'`))[0].n === created.length);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    const ids = receiver.received.map((r) => r.id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(receiver.maxConcurrentPerEvent).toBe(1);
    const [row] = await app.sql(`SELECT count(*)::int AS n, max(attempts) AS attempts FROM webhook_delivery WHERE status = 'DELIVERED'`);
    expect(row).toEqual({ n: 30, attempts: 1 });
    // every lease was released when its outcome was recorded
    const [held] = await app.sql(`SELECT count(*)::int AS n FROM webhook_delivery WHERE lease_token IS NOT NULL`);
    expect(held.n).toBe(0);
  });
});

describe("a worker woken by NOTIFY", () => {
  it("delivers a resource's next event, committed while the one before was being delivered, without waiting for its poll", async () => {
    const slow = new TestReceiver([204], 300); // each answer takes 300 ms: the update commits meanwhile
    const url = await slow.start();
    await app.sql(`DELETE FROM webhook`);
    await createWebhook(app, url, ["customer.created", "customer.updated"]);
    // an hour between polls: only NOTIFY, or a round that claims again, can bring the second delivery
    const worker = await workerFor(app, new Clock(), { pollMs: 3_600_000 }, true);
    await worker.start();
    try {
      const caller = app.as("contoso", PartnerRole.ADMIN_AGENT);
      const customer = dataOf(await caller.run(CUSTOMER_CREATE, { input: customerInput() })).customerCreate.customer;
      await waitFor(async () => slow.inFlight.size > 0, 500);
      dataOf(await caller.run(BILLING_UPDATE, { input: { customerId: customer.id, billingProfile: { firstName: "Grace" } } }));
      await waitFor(async () => slow.received.length === 2, 500);
      expect(slow.received.map((r) => [r.json.type, r.json.resourceId])).toEqual([
        ["customer.created", customer.id],
        ["customer.updated", customer.id],
      ]);
    } finally {
      await worker.stop();
      await slow.stop();
    }
  });
});
