import crypto from "node:crypto";
import http from "node:http";
import https from "node:https";
import { Client } from "pg";
import type { DataSource } from "typeorm";
import type { WebhookConfig } from "../../config";
import { eventPayload } from "../events/domain-event.entity";
import { EVENTS_CHANNEL } from "../events/event.service";
import { signedHeaders } from "./webhook-signature";
import { guardedLookup, urlRefusal } from "./webhook-url";
import type { WebhookService } from "./webhook.service";

export interface WorkerClock {
  now(): Date;
}

export interface WorkerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DeliveryWorkerOptions {
  config: WebhookConfig;
  /**
   * Time of retries (next_attempt_at), delivered_at, disabled_at and signatures (tests move it). Not of leases:
   * lease_until is set and compared on the database's clock, the one clock all workers share, so a worker whose
   * clock runs ahead cannot take a delivery another worker still holds.
   */
  clock?: WorkerClock;
  /** 0 ≤ x < 1, for the retry jitter (tests fix it). */
  random?: () => number;
  /** The database to LISTEN on for new events; without it the worker only polls. */
  listenUrl?: string;
  log?: WorkerLog;
  /** Work run now and then beside deliveries (recording computed expiries as events), each failure only logged. */
  sweeps?: (() => Promise<unknown>)[];
}

/** How often the sweeps run. */
const SWEEP_EVERY_MS = 60_000;

/** A delivery this worker holds (its lease), with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  leaseToken: string;
  webhookId: string;
  url: string;
  secretCiphertext: string;
  attempts: number;
  event: { id: string; type: string; occurredAt: Date; resourceId: string; data: unknown };
}

export type AttemptOutcome = { statusCode: number | null; error: string | null };

const silent: WorkerLog = { info() {}, warn() {}, error() {} };

/** The rows of an UPDATE … RETURNING (TypeORM answers an UPDATE with `[rows, rowCount]`). */
function updated<T>(result: unknown): T[] {
  return (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === "number" ? result[0] : result) as T[];
}

/** The delay before attempt `attempts + 1`: doubling from the base, capped, times a jitter in [0.8, 1.2) so retries of many receivers spread out. */
export function retryDelayMs(config: Pick<WebhookConfig, "baseDelayMs" | "maxDelayMs">, attempts: number, random: () => number): number {
  const exponential = Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

/** POST without following redirects, with a deadline; in production the socket connects only to public addresses. */
export function postOnce(url: string, headers: Record<string, string>, body: string, options: { timeoutMs: number; production: boolean }): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const client = target.protocol === "https:" ? https : http;
    let settled = false;
    const done = (outcome: AttemptOutcome) => {
      if (!settled) {
        settled = true;
        resolve(outcome);
      }
    };
    const request = client.request(
      target,
      {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "partner-accounts-webhooks/1", "content-length": Buffer.byteLength(body).toString(), ...headers },
        signal: AbortSignal.timeout(options.timeoutMs),
        // a connection per attempt, closed after it: nothing stays open towards receivers, and every connection passes the address check
        agent: false,
        ...(options.production ? { lookup: guardedLookup() } : {}),
      },
      (response) => {
        response.resume(); // the answer's body is not read, only drained
        response.on("end", () => done({ statusCode: response.statusCode ?? null, error: null }));
        response.on("error", () => done({ statusCode: response.statusCode ?? null, error: null }));
      },
    );
    request.on("error", (error: Error & { code?: string }) => done({ statusCode: null, error: error.name === "AbortError" || error.code === "ABORT_ERR" ? `no answer within ${options.timeoutMs} ms` : error.message }));
    request.end(body);
  });
}

/**
 * Sends webhook deliveries: claims due rows with FOR UPDATE SKIP LOCKED and a
 * lease (so several workers never hold one row at once, and a dead worker's
 * rows come back when its lease ends), POSTs each signed event, then records
 * the answer: DELIVERED on a 2xx, otherwise a retry after an exponential,
 * jittered delay until the retry window ends (FAILED). A delivery waits while
 * an earlier event of the same resource for the same webhook is still
 * PENDING, so each receiver sees a resource's events in order. Deliveries of a
 * webhook disabled after too many consecutive failures wait until it is
 * enabled again.
 */
export class DeliveryWorker {
  private readonly clock: WorkerClock;
  private readonly random: () => number;
  private readonly log: WorkerLog;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private listener: Client | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private lastSweep = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly webhooks: WebhookService,
    private readonly options: DeliveryWorkerOptions,
  ) {
    this.clock = options.clock ?? { now: () => new Date() };
    this.random = options.random ?? Math.random;
    this.log = options.log ?? silent;
  }

  private get config(): WebhookConfig {
    return this.options.config;
  }

  /** Starts polling (and listening for new events, when a URL is given). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.options.listenUrl) {
      const listener = new Client({ connectionString: this.options.listenUrl });
      listener.on("notification", () => this.wake?.());
      // a lost LISTEN connection only costs latency: polling still finds every delivery
      listener.on("error", (error) => this.log.warn({ err: error }, "webhook worker: LISTEN connection lost; polling only"));
      try {
        await listener.connect();
        await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
        this.listener = listener;
      } catch (error) {
        this.log.warn({ err: error }, "webhook worker: cannot LISTEN; polling only");
        await listener.end().catch(() => undefined);
      }
    }
    this.loop = this.run();
  }

  /** Stops claiming, lets the deliveries in flight finish (each is bounded by the request timeout), closes the LISTEN connection. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let sent = 0;
      if (Date.now() - this.lastSweep >= SWEEP_EVERY_MS) {
        this.lastSweep = Date.now();
        for (const sweep of this.options.sweeps ?? []) await sweep().catch((error: unknown) => this.log.warn({ err: error }, "webhook worker: a sweep failed"));
      }
      try {
        sent = await this.runOnce();
      } catch (error) {
        this.log.error({ err: error }, "webhook worker: a round failed");
      }
      if (!this.running) break;
      // a round that sent something claims again at once: a resource's next event may have waited behind the one just
      // delivered, and its NOTIFY came while this round ran (nobody was waiting for it); a round that found nothing waits
      if (sent > 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** One round: claim what is due (up to the concurrency) and deliver it all. Returns how many were claimed. */
  async runOnce(): Promise<number> {
    const claimed = await this.claim(this.config.concurrency);
    await Promise.all(claimed.map((delivery) => this.track(this.deliver(delivery))));
    return claimed.length;
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

  /**
   * Takes a lease on up to `limit` due deliveries (each counts an attempt now: one cut off by a dying worker shows too).
   * Due is `next_attempt_at` against this worker's clock (a skewed clock only sends a retry early or late); the lease
   * is `now()`, the database's: its exclusivity must not depend on the workers' clocks agreeing.
   */
  async claim(limit: number): Promise<ClaimedDelivery[]> {
    const now = this.clock.now();
    const leaseToken = crypto.randomUUID();
    const rows = updated<Record<string, any>>(
      await this.dataSource.query(
        `WITH due AS (
           SELECT d.id FROM webhook_delivery d
           JOIN webhook w ON w.id = d.webhook_id AND w.enabled
           WHERE d.status = 'PENDING' AND d.next_attempt_at <= $1 AND (d.lease_until IS NULL OR d.lease_until <= now())
             AND NOT EXISTS (
               SELECT 1 FROM webhook_delivery e
               WHERE e.webhook_id = d.webhook_id AND e.resource_id = d.resource_id AND e.status = 'PENDING' AND e.event_seq < d.event_seq
             )
           ORDER BY d.next_attempt_at, d.event_seq
           LIMIT $4
           FOR UPDATE OF d SKIP LOCKED
         )
         UPDATE webhook_delivery d SET lease_until = now() + $2::double precision * interval '1 millisecond', lease_token = $3, attempts = d.attempts + 1
         FROM due, webhook w, domain_event e
         WHERE d.id = due.id AND w.id = d.webhook_id AND e.id = d.event_id
         RETURNING d.id, d.webhook_id, d.attempts, w.url, w.secret_ciphertext, e.id AS event_id, e.type, e.occurred_at, e.resource_id AS event_resource_id, e.body`,
        [now, this.config.leaseMs, leaseToken, limit],
      ),
    );
    return rows.map((r) => ({
      id: r.id,
      leaseToken,
      webhookId: r.webhook_id,
      url: r.url,
      secretCiphertext: r.secret_ciphertext,
      attempts: r.attempts,
      event: { id: r.event_id, type: r.type, occurredAt: r.occurred_at, resourceId: r.event_resource_id, data: r.body },
    }));
  }

  /** Sends one claimed delivery and records the outcome (only while the lease is still this worker's). */
  async deliver(delivery: ClaimedDelivery): Promise<void> {
    const production = this.webhooks.urlPolicy.production;
    let outcome: AttemptOutcome;
    const refusal = await urlRefusal(delivery.url, this.webhooks.urlPolicy);
    if (refusal) {
      outcome = { statusCode: null, error: refusal.message };
    } else {
      const { event } = delivery;
      const body = JSON.stringify(eventPayload(event));
      const timestamp = Math.floor(this.clock.now().getTime() / 1000);
      let secret: string | null = null;
      try {
        secret = this.webhooks.secrets.open(delivery.secretCiphertext);
      } catch {
        // sealed under another key (WEBHOOK_SECRET_KEY differs between instances): an attempt that failed, not a stuck claim
      }
      outcome = secret
        ? await postOnce(delivery.url, signedHeaders(secret, event.id, timestamp, body), body, { timeoutMs: this.config.timeoutMs, production })
        : { statusCode: null, error: "The webhook's secret cannot be read with this instance's WEBHOOK_SECRET_KEY; every instance must share one." };
    }
    const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    await (ok ? this.succeeded(delivery, outcome.statusCode!) : this.failed(delivery, outcome));
  }

  private async succeeded(delivery: ClaimedDelivery, statusCode: number): Promise<void> {
    await this.dataSource.query(
      `WITH d AS (
         UPDATE webhook_delivery SET status = 'DELIVERED', delivered_at = $3, last_status_code = $4, last_error = NULL, lease_until = NULL, lease_token = NULL
         WHERE id = $1 AND lease_token = $2 AND status = 'PENDING'
         RETURNING webhook_id
       )
       UPDATE webhook w SET failure_count = 0 FROM d WHERE w.id = d.webhook_id`,
      [delivery.id, delivery.leaseToken, this.clock.now(), statusCode],
    );
  }

  private async failed(delivery: ClaimedDelivery, outcome: AttemptOutcome): Promise<void> {
    const now = this.clock.now();
    const next = new Date(now.getTime() + retryDelayMs(this.config, delivery.attempts, this.random));
    const giveUp = next.getTime() - new Date(delivery.event.occurredAt).getTime() > this.config.retryWindowMs;
    const rows = updated<{ enabled: boolean; failure_count: number }>(
      await this.dataSource.query(
        `WITH d AS (
           UPDATE webhook_delivery SET status = CASE WHEN $3 THEN 'FAILED' ELSE 'PENDING' END, next_attempt_at = $4,
             last_status_code = $5, last_error = $6, lease_until = NULL, lease_token = NULL
           WHERE id = $1 AND lease_token = $2 AND status = 'PENDING'
           RETURNING webhook_id
         )
         UPDATE webhook w SET failure_count = w.failure_count + 1,
           enabled = w.enabled AND w.failure_count + 1 < $7,
           disabled_at = CASE WHEN w.enabled AND w.failure_count + 1 >= $7 THEN $8 ELSE w.disabled_at END
         FROM d WHERE w.id = d.webhook_id
         RETURNING w.enabled, w.failure_count`,
        [delivery.id, delivery.leaseToken, giveUp, next, outcome.statusCode, outcome.error?.slice(0, 500) ?? (outcome.statusCode !== null ? `HTTP ${outcome.statusCode}` : null), this.config.disableAfterFailures, now],
      ),
    );
    if (rows[0] && !rows[0].enabled) this.log.warn({ webhookId: delivery.webhookId, failures: rows[0].failure_count }, "webhook disabled after consecutive failures");
  }
}
