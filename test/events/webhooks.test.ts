import { createReceiver, ReceivedEvent } from "../../src/cli/webhook-receive";
import { freePort } from "../../src/db/free-port";
import { BILLING_UPDATE, customerInput, CUSTOMER_CREATE } from "../support/fixtures";
import { Clock } from "../../src/modules/referrals/clock";
import { dataOf, PartnerRole, partnerId, TestApp } from "../support/harness";
import { createWebhook, DELIVERIES, expectedSignature, frozenClock, TestReceiver, WEBHOOK_CREATE, WEBHOOK_UPDATE, workerFor } from "./support";
import { dbIdOf } from "../support/ids";

/** Webhooks: managing them (GLOBAL_ADMIN, ADMIN_AGENT), and delivery by the worker against real local receivers. */
let app: TestApp;
const receivers: TestReceiver[] = [];
beforeAll(async () => {
  app = await TestApp.start({ env: { WEBHOOK_DISABLE_AFTER_FAILURES: "3" } });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
  await app?.close();
});

async function receiver(statuses?: number[]): Promise<{ receiver: TestReceiver; url: string }> {
  const r = new TestReceiver(statuses);
  receivers.push(r);
  return { receiver: r, url: await r.start() };
}

const agent = () => app.as("contoso", PartnerRole.ADMIN_AGENT);
const newCustomer = async () => dataOf(await agent().run(CUSTOMER_CREATE, { input: customerInput() })).customerCreate.customer;
const deliveriesOf = async (webhookId: string) => dataOf(await app.as("contoso", PartnerRole.GLOBAL_ADMIN).run(DELIVERIES, { id: webhookId })).webhookDeliveries;
/** Webhooks of earlier tests stay; each test turns them off so only its own receives. */
async function onlyThisTestsWebhooks(): Promise<void> {
  await app.sql(`UPDATE webhook SET enabled = false`);
}

describe("webhookCreate", () => {
  it("is for Global admins and Admin agents; others are FORBIDDEN", async () => {
    for (const role of [PartnerRole.GLOBAL_ADMIN, PartnerRole.ADMIN_AGENT]) {
      const created = dataOf(await app.as("contoso", role).run(WEBHOOK_CREATE, { input: { url: "http://127.0.0.1:9/hooks", eventTypes: ["customer.created"] } })).webhookCreate;
      expect([role, created.userErrors]).toEqual([role, []]);
    }
    for (const role of [PartnerRole.USER_MANAGEMENT_ADMIN, PartnerRole.SALES_AGENT, PartnerRole.HELPDESK_AGENT, PartnerRole.BILLING_ADMIN]) {
      const denied = await app.as("contoso", role).run(WEBHOOK_CREATE, { input: { url: "http://127.0.0.1:9/hooks", eventTypes: ["customer.created"] } });
      expect([role, denied.data?.webhookCreate ?? null, denied.errors?.[0]?.extensions?.code]).toEqual([role, null, "FORBIDDEN"]);
      const list = await app.as("contoso", role).run(`{ webhooks { totalCount } }`);
      expect([role, list.errors?.[0]?.extensions?.code]).toEqual([role, "FORBIDDEN"]);
    }
  });

  it("shows the secret once, and stores it only encrypted", async () => {
    const created = dataOf(await agent().run(WEBHOOK_CREATE, { input: { url: "http://127.0.0.1:9/x", eventTypes: ["customer.created", "customer.updated"], description: "CRM sync" } })).webhookCreate;
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.webhook).toMatchObject({ enabled: true, failureCount: 0, disabledAt: null, eventTypes: ["customer.created", "customer.updated"] });
    const [row] = await app.sql(`SELECT secret_ciphertext FROM webhook WHERE url = 'http://127.0.0.1:9/x'`);
    expect(row.secret_ciphertext).not.toContain(created.secret.slice(6, 20));
    const listed = dataOf(await agent().run(`{ webhooks(first: 50) { nodes { id url description } } }`)).webhooks.nodes;
    expect(listed).toContainEqual({ id: created.webhook.id, url: "http://127.0.0.1:9/x", description: "CRM sync" });
    // another partner sees none of them
    expect(dataOf(await app.as("fabrikam", PartnerRole.GLOBAL_ADMIN).run(`{ webhooks { totalCount } }`)).webhooks.totalCount).toBe(0);
  });

  it("refuses unknown event types and what is not a URL, pointing at the input", async () => {
    const refused = dataOf(await agent().run(WEBHOOK_CREATE, { input: { url: "ftp://example.com", eventTypes: ["customer.created", "customer.exploded"] } })).webhookCreate;
    expect(refused.webhook).toBeNull();
    expect(refused.secret).toBeNull();
    expect(refused.userErrors.map((e: any) => [e.code, e.field.join(".")])).toEqual([
      ["INVALID", "input.url"],
      ["INVALID", "input.eventTypes.1"],
    ]);
    const none = dataOf(await agent().run(WEBHOOK_CREATE, { input: { url: "http://127.0.0.1:9/", eventTypes: [] } })).webhookCreate;
    expect(none.userErrors.map((e: any) => e.code)).toEqual(["REQUIRED"]);
  });
});

describe("delivery", () => {
  it("POSTs the event, signed as Standard Webhooks says, to a real local receiver", async () => {
    await onlyThisTestsWebhooks();
    const { receiver: r, url } = await receiver([204]);
    const hook = await createWebhook(app, url, ["customer.created"]);
    const customer = await newCustomer();
    const clock = frozenClock();
    const worker = await workerFor(app, clock);
    expect(await worker.runOnce()).toBe(1);
    expect(r.received).toHaveLength(1);
    const got = r.received[0]!;
    expect(got.signature).toBe(expectedSignature(hook.secret, got));
    expect(Number(got.timestamp)).toBe(Math.floor(clock.now().getTime() / 1000));
    expect(Object.keys(got.json)).toEqual(["id", "type", "occurredAt", "resourceId", "data"]);
    expect(got.json).toMatchObject({ id: got.id, type: "customer.created", resourceId: customer.id, data: { id: customer.id, tenantId: customer.tenantId } });
    const [event] = await app.sql(`SELECT id, partner_id FROM domain_event WHERE id = $1`, [got.id]);
    expect(event.partner_id).toBe(partnerId("contoso"));
    const deliveries = await deliveriesOf(hook.id);
    expect(deliveries.nodes).toEqual([
      { id: expect.any(String), event: { id: got.id, type: "customer.created" }, status: "DELIVERED", attempts: 1, lastStatusCode: 204, lastError: null, nextAttemptAt: null, deliveredAt: clock.now().toISOString() },
    ]);
    expect(await worker.runOnce()).toBe(0);
  });

  it("the demo receiver (npm run webhook:receive) verifies what the worker sends, and refuses a wrong secret", async () => {
    await onlyThisTestsWebhooks();
    const events: ReceivedEvent[] = [];
    const rejected: string[] = [];
    const ports = [await freePort(), await freePort()];
    const good = await createWebhook(app, `http://127.0.0.1:${ports[0]}/`, ["customer.created"]);
    const wrong = await createWebhook(app, `http://127.0.0.1:${ports[1]}/`, ["customer.created"]);
    // the second receiver checks with the first webhook's secret, not its own
    const servers = [good.secret, good.secret].map((secret) => createReceiver({ secret, onEvent: (e) => events.push(e), onRejected: (reason) => rejected.push(reason) }));
    await Promise.all(servers.map((s, i) => new Promise<void>((resolve) => s.listen(ports[i], "127.0.0.1", resolve))));
    try {
      const customer = await newCustomer();
      const worker = await workerFor(app, frozenClock());
      expect(await worker.runOnce()).toBe(2);
      expect(events.map((e) => [e.type, e.resourceId])).toEqual([["customer.created", customer.id]]);
      expect(rejected).toEqual(["no signature matches"]);
      expect((await deliveriesOf(wrong.id)).nodes[0]).toMatchObject({ status: "PENDING", lastStatusCode: 401 });
    } finally {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    }
  });

  it("retries a receiver answering 500 twice, with growing delays, and delivers the third time", async () => {
    await onlyThisTestsWebhooks();
    const { receiver: r, url } = await receiver([500, 500, 200]);
    const hook = await createWebhook(app, url, ["customer.created"]);
    await newCustomer();
    const clock = frozenClock();
    const worker = await workerFor(app, clock, { baseDelayMs: 30_000 });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect(await worker.runOnce()).toBe(1);
      const [row] = await app.sql(`SELECT status, attempts, last_status_code, next_attempt_at FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id WHERE w.url = $1`, [url]);
      expect([row.status, row.attempts, row.last_status_code]).toEqual(["PENDING", attempt, 500]);
      delays.push(row.next_attempt_at.getTime() - clock.now().getTime());
      // not due before its time
      clock.advance(delays[delays.length - 1]! - 1000);
      expect(await worker.runOnce()).toBe(0);
      clock.advance(1000);
    }
    expect(delays).toEqual([30_000, 60_000]);
    expect(await worker.runOnce()).toBe(1);
    expect(r.received.map((x) => x.id)).toEqual([r.received[0]!.id, r.received[0]!.id, r.received[0]!.id]);
    const [delivery] = (await deliveriesOf(hook.id)).nodes;
    expect(delivery).toMatchObject({ status: "DELIVERED", attempts: 3, lastStatusCode: 200 });
  });

  it("a secret this instance cannot decrypt (another WEBHOOK_SECRET_KEY) is a failed attempt with a clear error, not a stuck claim", async () => {
    await onlyThisTestsWebhooks();
    const { receiver: r, url } = await receiver([200]);
    const hook = await createWebhook(app, url, ["customer.created"]);
    await app.sql(`UPDATE webhook SET secret_ciphertext = 'v1.sealed-elsewhere' WHERE url = $1`, [url]);
    await newCustomer();
    const worker = await workerFor(app, frozenClock(), {});
    expect(await worker.runOnce()).toBe(1);
    expect(r.received).toHaveLength(0);
    const [delivery] = (await deliveriesOf(hook.id)).nodes;
    expect(delivery).toMatchObject({ status: "PENDING", attempts: 1, lastStatusCode: null });
    expect(delivery.lastError).toContain("WEBHOOK_SECRET_KEY");
    const [row] = await app.sql(`SELECT lease_token FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id WHERE w.url = $1`, [url]);
    expect(row.lease_token).toBeNull();
  });

  it("gives up (FAILED) once the retry window has passed", async () => {
    await onlyThisTestsWebhooks();
    const { url } = await receiver([503]);
    const hook = await createWebhook(app, url, ["customer.created"]);
    await newCustomer();
    const clock = frozenClock();
    const worker = await workerFor(app, clock, { baseDelayMs: 60 * 60 * 1000, retryWindowMs: 24 * 60 * 60 * 1000, disableAfterFailures: 100 });
    let rounds = 0;
    for (; rounds < 20 && (await worker.runOnce()) > 0; rounds++) clock.advance(24 * 60 * 60 * 1000);
    const [delivery] = (await deliveriesOf(hook.id)).nodes;
    expect(delivery).toMatchObject({ status: "FAILED", lastStatusCode: 503, nextAttemptAt: null });
    expect(rounds).toBeGreaterThan(1);
  });

  it("a worker stopped while holding a delivery loses it when the lease ends; another delivers it, nothing is lost", async () => {
    await onlyThisTestsWebhooks();
    const { receiver: r, url } = await receiver([204]);
    const hook = await createWebhook(app, url, ["customer.created"]);
    await newCustomer();
    const clock = frozenClock();
    const leaseMs = 1500;
    const dying = await workerFor(app, clock, { leaseMs });
    const claimed = await dying.claim(10);
    expect(claimed).toHaveLength(1);
    // the lease runs on the database's clock, whatever the worker's says
    const [lease] = await app.sql(`SELECT extract(epoch FROM lease_until - now()) * 1000 AS ms FROM webhook_delivery WHERE id = $1`, [claimed[0]!.id]);
    expect(Number(lease.ms)).toBeGreaterThan(leaseMs - 1000);
    expect(Number(lease.ms)).toBeLessThanOrEqual(leaseMs);
    // the dying worker never sends: its lease holds the row meanwhile, even for a worker whose clock runs an hour ahead
    const skewed = new Clock();
    skewed.set(new Date(clock.now().getTime() + 60 * 60 * 1000));
    const survivor = await workerFor(app, skewed);
    expect(await survivor.runOnce()).toBe(0);
    // once the lease has ended on the database's clock, the survivor takes the delivery
    for (let i = 0; i < 100 && (await app.sql(`SELECT lease_until > now() AS held FROM webhook_delivery WHERE id = $1`, [claimed[0]!.id]))[0].held; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await survivor.runOnce()).toBe(1);
    expect(r.received).toHaveLength(1);
    // the dying worker wakes up late and sends anyway: at least once, the receiver dedups by id; the record stays the survivor's
    await dying.deliver(claimed[0]!);
    expect(r.received.map((x) => x.id)).toEqual([r.received[0]!.id, r.received[0]!.id]);
    const [delivery] = (await deliveriesOf(hook.id)).nodes;
    expect(delivery).toMatchObject({ status: "DELIVERED", attempts: 2 });
  });

  it("keeps a resource's order: a later event waits while an earlier one of the same resource is undelivered", async () => {
    await onlyThisTestsWebhooks();
    const { receiver: r, url } = await receiver([500, 204]);
    await createWebhook(app, url, ["customer.created", "customer.updated"]);
    const first = await newCustomer();
    dataOf(await agent().run(BILLING_UPDATE, { input: { customerId: first.id, billingProfile: { firstName: "Grace" } } }));
    const clock = frozenClock();
    const worker = await workerFor(app, clock);
    expect(await worker.runOnce()).toBe(1); // customer.created, answered 500; customer.updated waits behind it
    expect(await worker.runOnce()).toBe(0);
    const other = await newCustomer(); // another resource is not held up
    clock.set(new Date(Math.max(clock.now().getTime(), Date.now() + 1000)));
    expect(await worker.runOnce()).toBe(1);
    clock.advance(60 * 60 * 1000);
    while ((await worker.runOnce()) > 0);
    expect(r.received.map((x) => [x.json.type, x.json.resourceId])).toEqual([
      ["customer.created", first.id],
      ["customer.created", other.id],
      ["customer.created", first.id],
      ["customer.updated", first.id],
    ]);
  });

  it("disables a webhook after N consecutive failures; webhookUpdate enabled: true turns it back on and what waited goes out", async () => {
    await onlyThisTestsWebhooks();
    const { receiver: r, url } = await receiver([500, 500, 500, 204]);
    const hook = await createWebhook(app, url, ["customer.created"]);
    await newCustomer();
    const clock = frozenClock();
    const worker = await workerFor(app, clock); // WEBHOOK_DISABLE_AFTER_FAILURES=3 for this file's app
    for (let i = 0; i < 3; i++) {
      expect(await worker.runOnce()).toBe(1);
      clock.advance(24 * 60 * 60 * 1000);
    }
    const disabled = dataOf(await agent().run(`query($id: ID!) { node(id: $id) { ... on Webhook { enabled failureCount disabledAt } } }`, { id: hook.id })).node;
    expect(disabled).toEqual({ enabled: false, failureCount: 3, disabledAt: expect.any(String) });
    expect(await worker.runOnce()).toBe(0);
    const enabled = dataOf(await agent().run(WEBHOOK_UPDATE, { input: { id: hook.id, enabled: true } })).webhookUpdate;
    expect(enabled.webhook).toMatchObject({ enabled: true, failureCount: 0, disabledAt: null });
    expect(await worker.runOnce()).toBe(1);
    expect(r.received).toHaveLength(4);
    expect((await deliveriesOf(hook.id)).nodes[0]).toMatchObject({ status: "DELIVERED", attempts: 4 });
  });

  it("webhookTest sends a webhook.test event to that webhook only", async () => {
    await onlyThisTestsWebhooks();
    const { receiver: tested, url } = await receiver([204]);
    const { receiver: bystander, url: otherUrl } = await receiver([204]);
    const hook = await createWebhook(app, url, ["customer.created"]);
    await createWebhook(app, otherUrl, ["customer.created"]);
    const sent = dataOf(await agent().run(`mutation($id: ID!) { webhookTest(input: { id: $id }) { delivery { status attempts event { id type } } userErrors { code } } }`, { id: hook.id })).webhookTest;
    expect(sent.delivery).toMatchObject({ status: "PENDING", attempts: 0, event: { type: "webhook.test" } });
    const worker = await workerFor(app, frozenClock());
    while ((await worker.runOnce()) > 0);
    expect(tested.received.map((x) => [x.id, x.json.type, x.json.resourceId])).toEqual([[sent.delivery.event.id, "webhook.test", hook.id]]);
    expect(bystander.received).toEqual([]);
    const foreign = dataOf(await app.as("fabrikam", PartnerRole.GLOBAL_ADMIN).run(`mutation($id: ID!) { webhookTest(input: { id: $id }) { delivery { status } userErrors { code } } }`, { id: hook.id })).webhookTest;
    expect(foreign).toEqual({ delivery: null, userErrors: [{ code: "NOT_FOUND" }] });
  });

  it("webhookTest: at most WEBHOOK_TESTS_PER_MINUTE (5) a minute per webhook, then RATE_LIMITED with the wait; another webhook is not held back", async () => {
    await onlyThisTestsWebhooks();
    const { url } = await receiver([204]);
    const hook = await createWebhook(app, url, ["customer.created"]);
    const other = await createWebhook(app, url, ["customer.created"]);
    const test = async (id: string) =>
      dataOf(await agent().run(`mutation($id: ID!) { webhookTest(input: { id: $id }) { delivery { id } userErrors { code field message } } }`, { id })).webhookTest;
    for (let i = 0; i < 5; i++) expect((await test(hook.id)).userErrors).toEqual([]);
    const refused = await test(hook.id);
    expect(refused.delivery).toBeNull();
    expect(refused.userErrors).toEqual([{ code: "RATE_LIMITED", field: ["input", "id"], message: expect.stringMatching(/at most 5\); retry in \d+ s\.$/) }]);
    const [{ n }] = await app.sql(`SELECT count(*)::int AS n FROM webhook_delivery d JOIN domain_event e ON e.id = d.event_id WHERE e.type = 'webhook.test' AND d.webhook_id = $1`, [dbIdOf(hook.id)]);
    expect(n).toBe(5);
    expect((await test(other.id)).userErrors).toEqual([]);
  });

  it("webhookUpdate changes event types; webhookDelete removes the webhook and its deliveries", async () => {
    await onlyThisTestsWebhooks();
    const { receiver: r, url } = await receiver([204]);
    const hook = await createWebhook(app, url, ["customer.created"]);
    const changed = dataOf(await agent().run(WEBHOOK_UPDATE, { input: { id: hook.id, eventTypes: ["customer.updated"] } })).webhookUpdate;
    expect(changed.webhook.eventTypes).toEqual(["customer.updated"]);
    await newCustomer();
    const worker = await workerFor(app, frozenClock());
    expect(await worker.runOnce()).toBe(0);
    expect(r.received).toEqual([]);
    const deleted = dataOf(await agent().run(`mutation($id: ID!) { webhookDelete(input: { id: $id }) { deletedWebhookId userErrors { code } } }`, { id: hook.id })).webhookDelete;
    expect(deleted).toEqual({ deletedWebhookId: hook.id, userErrors: [] });
    expect((await deliveriesOf(hook.id)).totalCount).toBe(0);
    const audit = dataOf(await app.as("contoso", PartnerRole.GLOBAL_ADMIN).run(`{ auditRecords(filter: { resourceType: "webhook", operationType: "delete_webhook" }) { totalCount } }`)).auditRecords;
    expect(audit.totalCount).toBeGreaterThanOrEqual(1);
    // audit readers without the webhook capability do not see webhook records
    const helpdesk = dataOf(await app.as("contoso", PartnerRole.HELPDESK_AGENT).run(`{ auditRecords(filter: { resourceType: "webhook" }) { totalCount } }`)).auditRecords;
    expect(helpdesk.totalCount).toBe(0);
  });
});

describe("what a webhook carries stays within the caller's roles", () => {
  it("an Admin agent (who may not read referrals) may not subscribe a webhook to referral events, see their deliveries, or redirect a webhook that has them", async () => {
    const refused = dataOf(await agent().run(WEBHOOK_CREATE, { input: { url: "http://127.0.0.1:9/leads", eventTypes: ["customer.created", "referral.received"] } })).webhookCreate;
    expect(refused.webhook).toBeNull();
    expect(refused.userErrors).toEqual([expect.objectContaining({ code: "INVALID", field: ["input", "eventTypes", "1"] })]);

    // a Global admin's webhook with referral events
    const admin = app.as("contoso", PartnerRole.GLOBAL_ADMIN);
    const created = dataOf(await admin.run(WEBHOOK_CREATE, { input: { url: "http://127.0.0.1:9/leads", eventTypes: ["referral.received", "customer.created"] } })).webhookCreate;
    expect(created.userErrors).toEqual([]);
    const hookId = created.webhook.id;
    const [hook] = await app.sql(`SELECT id FROM webhook WHERE url = 'http://127.0.0.1:9/leads'`);
    for (const [type, resourceType] of [["referral.received", "referral"], ["customer.created", "customer"]]) {
      const [event] = await app.sql(
        `INSERT INTO domain_event (partner_id, type, resource_type, resource_id, body) VALUES ($1, $2, $3, 'x', '{"secret":"lead"}') RETURNING id, seq`,
        [partnerId("contoso"), type, resourceType],
      );
      await app.sql(`INSERT INTO webhook_delivery (webhook_id, event_id, event_seq, resource_id, status) VALUES ($1, $2, $3, 'x', 'DELIVERED')`, [hook.id, event.id, event.seq]);
    }
    const byAdmin = dataOf(await admin.run(DELIVERIES, { id: hookId })).webhookDeliveries;
    expect(byAdmin.nodes.map((n: any) => n.event.type).sort()).toEqual(["customer.created", "referral.received"]);
    const byAgent = dataOf(await agent().run(DELIVERIES, { id: hookId })).webhookDeliveries;
    expect(byAgent.totalCount).toBe(1);
    expect(byAgent.nodes.map((n: any) => n.event.type)).toEqual(["customer.created"]);

    const redirect = dataOf(await agent().run(WEBHOOK_UPDATE, { input: { id: hookId, url: "http://127.0.0.1:9/mine" } })).webhookUpdate;
    expect(redirect.webhook).toBeNull();
    expect(redirect.userErrors).toEqual([expect.objectContaining({ code: "INVALID", field: ["input", "eventTypes"] })]);
    const [still] = await app.sql(`SELECT url FROM webhook WHERE id = $1`, [hook.id]);
    expect(still.url).toBe("http://127.0.0.1:9/leads");
  });

  it("refuses an eventTypes list longer than there are types, with one error", async () => {
    const many = Array.from({ length: 500 }, (_, i) => `x${i}`);
    const refused = dataOf(await agent().run(WEBHOOK_CREATE, { input: { url: "http://127.0.0.1:9/many", eventTypes: many } })).webhookCreate;
    expect(refused.userErrors).toEqual([expect.objectContaining({ code: "TOO_LONG", field: ["input", "eventTypes"] })]);
  });
});
