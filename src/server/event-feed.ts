import { Client } from "pg";
import type { DataSource } from "typeorm";
import type { PostgresDataSourceOptions } from "typeorm/driver/postgres/PostgresDataSourceOptions";
import { apiError } from "../graphql/errors";
import type { Stream } from "../graphql/streams";
import type { DomainEvent } from "../modules/events/domain-event.entity";
import { EVENTS_CHANNEL, EventService } from "../modules/events/event.service";
import type { AppLogger } from "./logger";

/** Longest wait between attempts to get the LISTEN connection back. */
const MAX_RECONNECT_DELAY_MS = 5_000;
/** Events read per statement. */
const READ_PAGE = 1000;
/** Wait before a failed read is tried again. */
const READ_RETRY_MS = 1_000;

export interface EventFeedOptions {
  events: EventService;
  /** The primary's URL: the LISTEN connection is a client of its own, outside the pool. */
  url: string;
  log: AppLogger;
  /** Events one subscriber may have waiting before its subscription ends (a client that stopped reading). */
  bufferEvents: number;
}

/** The primary's URL of a DataSource (with replicas, NOTIFY is only delivered on the primary). */
export function primaryUrlOf(dataSource: DataSource): string {
  const options = dataSource.options as PostgresDataSourceOptions;
  const url = options.replication?.master.url ?? options.url;
  if (!url) throw new Error("the DataSource names no URL to LISTEN on");
  return url;
}

/** One subscriber's queue of events: an async iterator the subscription reads. */
class Subscriber implements Stream<DomainEvent> {
  private readonly buffer: DomainEvent[] = [];
  private waiting: { resolve(step: IteratorResult<DomainEvent>): void; reject(error: unknown): void } | null = null;
  private failure: Error | null = null;
  private done = false;

  constructor(
    readonly partnerId: string,
    private readonly accepts: (event: DomainEvent) => boolean,
    private readonly limit: number,
    private readonly leave: (subscriber: Subscriber) => void,
  ) {}

  deliver(event: DomainEvent): void {
    if (this.done || !this.accepts(event)) return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting.resolve({ value: event, done: false });
    } else if (this.buffer.length >= this.limit) {
      this.fail(apiError("SERVICE_UNAVAILABLE", `This subscription fell more than ${this.limit} events behind and was ended; subscribe again.`));
    } else {
      this.buffer.push(event);
    }
  }

  /** Ends the subscription with an error: the waiting (or the next) `next()` rejects with it. */
  fail(error: Error): void {
    if (this.done) return;
    const waiting = this.waiting;
    this.waiting = null;
    this.end();
    if (waiting) waiting.reject(error);
    else this.failure = error;
  }

  next(): Promise<IteratorResult<DomainEvent>> {
    const event = this.buffer.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  async return(): Promise<IteratorResult<DomainEvent>> {
    this.end();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<DomainEvent>> {
    this.end();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    this.buffer.length = 0;
    this.leave(this);
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve({ value: undefined, done: true });
  }
}

/**
 * This instance's share of the outbox: one dedicated connection LISTENs on
 * EVENTS_CHANNEL (every instance gets every committed event's NOTIFY, whichever
 * instance wrote it), reads what committed and hands each event to the local
 * subscribers of its partner. Started by the first subscription; the
 * connection is re-established with a back-off when it drops, and what
 * committed meanwhile is read then.
 *
 * A NOTIFY only wakes the reader; what it reads is not "seq > the highest seen"
 * (seq is taken at insert, so an event may commit after a larger seq was read,
 * and such a cursor would skip it) but "what committed between the previous
 * read's snapshot and this one's" (EventService.committedBetween, by each
 * event's transaction id). Each read starts where the last one ended, so every
 * event committed after the feed started is dispatched exactly once, in seq
 * order within a read (for one resource that is commit order), whether its
 * NOTIFY arrived, arrived late, or was lost with the connection. A failed read
 * is retried from the page it failed on, with the same bounds.
 */
export class EventFeed {
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private listening: Promise<void> | null = null;
  private client: Client | null = null;
  private closed = false;
  /** A NOTIFY (or a reconnection) asked for a read that has not started yet. */
  private wanted = false;
  private reading: Promise<void> | null = null;
  /** The snapshot the last completed read ended at: what committed by then has been dispatched (null before the first LISTEN). */
  private since: string | null = null;
  /** The read under way (its end snapshot and the last seq dispatched), kept across a failure so a retry resumes it. */
  private current: { until: string; afterSeq: string } | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelayMs = 0;

  constructor(private readonly options: EventFeedOptions) {}

  /**
   * A stream of the partner's events that `accepts` lets through, committed
   * from the moment this resolves. Rejects with SERVICE_UNAVAILABLE while the
   * database cannot be reached for the first LISTEN.
   */
  async subscribe(partnerId: string, accepts: (event: DomainEvent) => boolean): Promise<Stream<DomainEvent>> {
    await this.listen();
    if (this.closed) throw apiError("SERVICE_UNAVAILABLE", "The server is shutting down; subscribe again on another instance.");
    const subscriber = new Subscriber(partnerId, accepts, this.options.bufferEvents, (s) => this.leave(s));
    let local = this.subscribers.get(partnerId);
    if (!local) this.subscribers.set(partnerId, (local = new Set()));
    local.add(subscriber);
    return subscriber;
  }

  /** Local subscribers (of one partner, or of all). */
  subscriberCount(partnerId?: string): number {
    if (partnerId) return this.subscribers.get(partnerId)?.size ?? 0;
    let count = 0;
    for (const local of this.subscribers.values()) count += local.size;
    return count;
  }

  /** Ends every subscription and the LISTEN connection. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    for (const local of [...this.subscribers.values()]) for (const subscriber of [...local]) await subscriber.return();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
    await this.reading;
  }

  private listen(): Promise<void> {
    this.listening ??= (async () => {
      await this.connect();
      // LISTEN is on: whatever commits from now on is announced, and read from this snapshot on
      this.since ??= await this.options.events.snapshot();
    })().catch(async (error: unknown) => {
      this.listening = null; // the next subscription tries again
      const client = this.client;
      this.client = null;
      await client?.end().catch(() => undefined);
      this.options.log.warn({ err: error }, "could not LISTEN for events");
      throw apiError("SERVICE_UNAVAILABLE", "The database is unavailable; subscribe again shortly.");
    });
    return this.listening;
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.url });
    client.on("notification", (message) => {
      if (message.channel === EVENTS_CHANNEL && message.payload) this.announce(message.payload);
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private lost(client: Client, error?: Error): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    this.options.log.warn({ err: error }, "the LISTEN connection for events dropped; reconnecting");
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectDelayMs = Math.min(Math.max(this.reconnectDelayMs * 2, 100), MAX_RECONNECT_DELAY_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.reconnect();
    }, this.reconnectDelayMs);
    this.reconnectTimer.unref();
  }

  private async reconnect(): Promise<void> {
    try {
      await this.connect();
      // listening again: what committed while no NOTIFY could reach us is read now (a read failing is retried by itself)
      this.requestRead();
      this.reconnectDelayMs = 0;
      this.options.log.info("the LISTEN connection for events is back");
    } catch (error) {
      this.options.log.warn({ err: error }, "could not LISTEN for events again; retrying");
      const client = this.client;
      this.client = null;
      await client?.end().catch(() => undefined);
      this.scheduleReconnect();
    }
  }

  private announce(seq: string): void {
    if (!/^\d{1,19}$/.test(seq)) return;
    this.requestRead();
  }

  /** One read for every NOTIFY that arrived while the previous read ran. */
  private requestRead(): void {
    this.wanted = true;
    this.reading ??= this.read().finally(() => (this.reading = null));
  }

  private async read(): Promise<void> {
    while (this.wanted && !this.closed) {
      this.wanted = false;
      try {
        await this.readCommitted();
      } catch (error) {
        this.options.log.warn({ err: error }, "could not read committed events; retrying");
        this.wanted = true;
        await new Promise((resolve) => setTimeout(resolve, READ_RETRY_MS).unref());
      }
    }
  }

  /** Dispatches what committed after `since`, up to a snapshot taken now, page by page; then that snapshot is `since`. */
  private async readCommitted(): Promise<void> {
    const since = this.since;
    if (since === null) return; // the first LISTEN has not finished: nothing was promised yet
    this.current ??= { until: await this.options.events.snapshot(), afterSeq: "0" };
    for (;;) {
      const { until, afterSeq } = this.current;
      const page = await this.options.events.committedBetween(since, until, { afterSeq, limit: READ_PAGE });
      for (const event of page) {
        if (this.closed) return;
        this.dispatch(event);
        this.current.afterSeq = event.seq;
      }
      if (page.length < READ_PAGE) break;
    }
    this.since = this.current.until;
    this.current = null;
  }

  private dispatch(event: DomainEvent): void {
    for (const subscriber of this.subscribers.get(event.partnerId) ?? []) subscriber.deliver(event);
  }

  private leave(subscriber: Subscriber): void {
    const local = this.subscribers.get(subscriber.partnerId);
    local?.delete(subscriber);
    if (local?.size === 0) this.subscribers.delete(subscriber.partnerId);
  }
}
