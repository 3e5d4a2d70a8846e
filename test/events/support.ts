import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Clock } from "../../src/modules/referrals/clock";
import { DeliveryWorker } from "../../src/modules/webhooks/delivery-worker";
import { dataOf, PartnerRole, TestApp } from "../support/harness";

/** What a receiver got: headers and raw body of each request. */
export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  json: { id: string; type: string; occurredAt: string; resourceId: string; data: Record<string, any> };
}

/** A local HTTP receiver answering each request with the next status of `statuses` (the last one repeats). */
export class TestReceiver {
  readonly received: Received[] = [];
  /** Requests being answered right now, by event id (a second one at once would be a double delivery). */
  readonly inFlight = new Map<string, number>();
  maxConcurrentPerEvent = 0;
  private server: http.Server | null = null;
  private served = 0;

  constructor(
    private readonly statuses: number[] = [204],
    private readonly delayMs = 0,
  ) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const id = String(req.headers["webhook-id"]);
        this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + 1);
        this.maxConcurrentPerEvent = Math.max(this.maxConcurrentPerEvent, this.inFlight.get(id)!);
        const status = this.statuses[Math.min(this.served++, this.statuses.length - 1)]!;
        setTimeout(() => {
          this.received.push({ id, timestamp: String(req.headers["webhook-timestamp"]), signature: String(req.headers["webhook-signature"]), body, json: JSON.parse(body) });
          this.inFlight.set(id, this.inFlight.get(id)! - 1);
          res.writeHead(status).end();
        }, this.delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The Standard Webhooks signature as a receiver computes it, written out independently of the server's code. */
export function expectedSignature(secret: string, r: Pick<Received, "id" | "timestamp" | "body">): string {
  return "v1," + crypto.createHmac("sha256", Buffer.from(secret.slice("whsec_".length), "base64")).update(`${r.id}.${r.timestamp}.${r.body}`).digest("base64");
}

export const WEBHOOK_CREATE = `mutation($input: WebhookCreateInput!) { webhookCreate(input: $input) { webhook { id url eventTypes enabled failureCount disabledAt } secret userErrors { field code message } } }`;
export const WEBHOOK_UPDATE = `mutation($input: WebhookUpdateInput!) { webhookUpdate(input: $input) { webhook { id enabled failureCount disabledAt eventTypes url } userErrors { field code message } } }`;
export const DELIVERIES = `query($id: ID!, $status: WebhookDeliveryStatus) {
  webhookDeliveries(webhookId: $id, filter: { status: $status }) { totalCount nodes { id event { id type } status attempts lastStatusCode lastError nextAttemptAt deliveredAt } }
}`;

export async function createWebhook(app: TestApp, url: string, eventTypes: string[], partner: Parameters<TestApp["as"]>[0] = "contoso"): Promise<{ id: string; secret: string }> {
  const created = dataOf(await app.as(partner, PartnerRole.GLOBAL_ADMIN).run(WEBHOOK_CREATE, { input: { url, eventTypes } })).webhookCreate;
  if (created.userErrors.length > 0) throw new Error(JSON.stringify(created.userErrors));
  return { id: created.webhook.id, secret: created.secret };
}

/** A worker over the app's database and services, on `clock`, with the jitter fixed at its middle (delays exactly double). */
export async function workerFor(app: TestApp, clock: Clock, overrides: Partial<TestApp["config"]["webhooks"]> = {}, listen = false): Promise<DeliveryWorker> {
  const { services } = await app.app.contextFor();
  return new DeliveryWorker(app.database.dataSource, services.webhooks, {
    config: { ...app.config.webhooks, ...overrides },
    clock,
    random: () => 0.5,
    listenUrl: listen ? app.database.url : undefined,
  });
}

/** A clock frozen a moment after now (rows written until then are due). */
export function frozenClock(): Clock {
  const clock = new Clock();
  clock.set(new Date(Date.now() + 1000));
  return clock;
}
