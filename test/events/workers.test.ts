import { Clock } from "../../src/modules/referrals/clock";
import { customerInput, CUSTOMER_CREATE } from "../support/fixtures";
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
