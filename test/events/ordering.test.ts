import "reflect-metadata";
import crypto from "node:crypto";
import { GraphQLError } from "graphql";
import type { QueryRunner } from "typeorm";
import { transactionConflict } from "../../src/graphql/errors";
import { MutationInput, runMutation } from "../../src/graphql/mutation";
import type { Stream } from "../../src/graphql/streams";
import type { DomainEvent } from "../../src/modules/events/domain-event.entity";
import type { EventType } from "../../src/modules/events/event-types";
import { EventService, resourceLockKey } from "../../src/modules/events/event.service";
import { partnerId, TestApp } from "../support/harness";
import { createWebhook, frozenClock, TestReceiver, workerFor } from "./support";

/**
 * Order under concurrent writers, on the real database: for one resource, seq order is commit order (an advisory
 * lock taken before the row gets its seq); the event feed dispatches every committed event exactly once even when a
 * lower seq commits after a higher one, across a lost LISTEN connection too.
 */
let app: TestApp;
let events: EventService;
const runners: QueryRunner[] = [];
const receivers: TestReceiver[] = [];

beforeAll(async () => {
  app = await TestApp.start();
  events = (await app.app.contextFor()).services.events;
});
afterAll(async () => {
  for (const r of runners) if (!r.isReleased) await r.release().catch(() => undefined);
  await Promise.all(receivers.map((r) => r.stop()));
  await app?.close();
});

/** A transaction of its own (its own pool connection), and that connection's backend pid. */
async function transaction(): Promise<{ runner: QueryRunner; pid: number }> {
  const runner = app.database.dataSource.createQueryRunner();
  runners.push(runner);
  await runner.connect();
  const [{ pid }] = await runner.query(`SELECT pg_backend_pid() AS pid`);
  await runner.startTransaction();
  return { runner, pid };
}

const draft = (resourceId: string, type: EventType = "customer.updated") => ({ partnerId: partnerId("contoso"), type, resourceType: "customer", resourceId, body: { n: resourceId } });
const resource = () => `test-resource-${crypto.randomUUID()}`;

/** True once backend `pid` waits for an advisory lock (bounded wait). */
async function waitsOnAdvisoryLock(pid: number): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    const [row] = await app.sql(`SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = $1`, [pid]);
    if (row?.wait_event_type === "Lock" && row.wait_event === "advisory") return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}

/** Whether a promise has settled within `ms`. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
  return settled;
}

describe("EventService.append: per-resource order is commit order", () => {
  it("a second writer of the same resource blocks until the first commits, and its seq comes after", async () => {
    const r = resource();
    const t1 = await transaction();
    const t2 = await transaction();
    const first = await events.append(t1.runner.manager, draft(r));
    const second = events.append(t2.runner.manager, draft(r));
    expect(await waitsOnAdvisoryLock(t2.pid)).toBe(true);
    expect(await settledWithin(second, 200)).toBe(false);
    await t1.runner.commitTransaction();
    const secondEvent = await second;
    await t2.runner.commitTransaction();
    expect(BigInt(secondEvent.seq)).toBeGreaterThan(BigInt(first.seq));
    await Promise.all([t1.runner.release(), t2.runner.release()]);
  });

  it("takes the lock before the row's seq: a writer that waited gets a seq after the one the holder takes later", async () => {
    const r = resource();
    const holder = await transaction();
    // the holder has the resource's lock but no seq yet
    await holder.runner.query(`SELECT pg_advisory_xact_lock(${resourceLockKey("$1::text")})`, [r]);
    const waiter = await transaction();
    const waiting = events.append(waiter.runner.manager, draft(r));
    expect(await waitsOnAdvisoryLock(waiter.pid)).toBe(true);
    // were nextval evaluated before the lock, the waiter would already hold a smaller seq than this one
    const held = await events.append(holder.runner.manager, draft(r));
    await holder.runner.commitTransaction();
    const waited = await waiting;
    await waiter.runner.commitTransaction();
    expect(BigInt(waited.seq)).toBeGreaterThan(BigInt(held.seq));
    await Promise.all([holder.runner.release(), waiter.runner.release()]);
  });

  it("writers of different resources do not wait for each other", async () => {
    const t1 = await transaction();
    const t2 = await transaction();
    await events.append(t1.runner.manager, draft(resource()));
    const other = events.append(t2.runner.manager, draft(resource()));
    expect(await settledWithin(other, 500)).toBe(true);
    await Promise.all([t1.runner.commitTransaction(), t2.runner.commitTransaction()]);
    await Promise.all([t1.runner.release(), t2.runner.release()]);
  });

  it("two writers locking two resources in opposite orders: PostgreSQL aborts one (40P01), which a mutation answers as a retryable SERVICE_UNAVAILABLE, no SQL", async () => {
    const [a, b] = [resource(), resource()];
    const t1 = await transaction();
    const t2 = await transaction();
    await events.append(t1.runner.manager, draft(a));
    await events.append(t2.runner.manager, draft(b));
    const outcomes = await Promise.allSettled([events.append(t1.runner.manager, draft(b)), events.append(t2.runner.manager, draft(a))]);
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(failed).toHaveLength(1);
    const error = failed[0]!.reason;
    expect(error.driverError?.code ?? error.code).toBe("40P01");
    for (const t of [t1, t2]) await (outcomes[[t1, t2].indexOf(t)]!.status === "fulfilled" ? t.runner.commitTransaction() : t.runner.rollbackTransaction());
    await Promise.all([t1.runner.release(), t2.runner.release()]);

    const mapped = transactionConflict(error);
    expect(mapped).toBeInstanceOf(GraphQLError);
    expect(mapped!.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryable: true, reason: "DEADLOCK" });
    expect(mapped!.message).not.toMatch(/INSERT|SELECT|domain_event|deadlock detected/i);
    // the one mutation wrapper throws that error instead of the driver's (which would be a 500)
    await expect(runMutation({} as MutationInput, async () => Promise.reject(error))).rejects.toMatchObject({ extensions: { code: "SERVICE_UNAVAILABLE", retryable: true } });
    expect(transactionConflict({ driverError: { code: "40001" } })!.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "SERIALIZATION_FAILURE" });
    expect(transactionConflict({ driverError: { code: "23505" } })).toBeNull();
    expect(transactionConflict(new Error("x"))).toBeNull();
  });
});

describe("the delivery worker, with concurrent writers of one resource", () => {
  it("delivers a resource's events in commit order", async () => {
    await app.sql(`UPDATE webhook SET enabled = false`);
    const receiver = new TestReceiver([204]);
    receivers.push(receiver);
    await createWebhook(app, await receiver.start(), ["customer.updated"]);
    const r = resource();
    const worker = await workerFor(app, frozenClock());

    const t1 = await transaction();
    const t2 = await transaction();
    const first = await events.append(t1.runner.manager, draft(r));
    // T2 appends and commits as soon as it can: without the lock it would commit first, with a larger seq
    const second = events.append(t2.runner.manager, draft(r)).then(async (event) => {
      await t2.runner.commitTransaction();
      return event;
    });
    expect(await waitsOnAdvisoryLock(t2.pid)).toBe(true);
    expect(await worker.runOnce()).toBe(0); // nothing of R committed yet
    await t1.runner.commitTransaction();
    const secondEvent = await second;
    while ((await worker.runOnce()) > 0);
    expect(receiver.received.map((x) => x.id)).toEqual([first.id, secondEvent.id]);
    expect(BigInt(secondEvent.seq)).toBeGreaterThan(BigInt(first.seq));
    await Promise.all([t1.runner.release(), t2.runner.release()]);
  });
});

describe("the event feed: a lower seq committing after a higher one", () => {
  /** Reads a stream into `into` in the background. */
  function collect(stream: Stream<DomainEvent>, into: DomainEvent[]): void {
    void (async () => {
      for await (const event of stream) into.push(event);
    })();
  }
  async function until(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!check()) throw new Error(`timed out waiting for ${what}`);
  }

  it("is delivered, exactly once", async () => {
    const got: DomainEvent[] = [];
    const [a, b] = [resource(), resource()];
    const stream = await app.app.eventFeed.subscribe(partnerId("contoso"), (e) => e.resourceId === a || e.resourceId === b);
    collect(stream, got);
    const t1 = await transaction();
    const low = await events.append(t1.runner.manager, draft(a));
    const t2 = await transaction();
    const high = await events.append(t2.runner.manager, draft(b));
    expect(BigInt(high.seq)).toBeGreaterThan(BigInt(low.seq));
    await t2.runner.commitTransaction();
    await until(() => got.length >= 1, "the higher seq");
    await t1.runner.commitTransaction();
    await until(() => got.length >= 2, "the lower seq, committed later");
    // another commit wakes the feed again: nothing comes twice
    await events.append(app.database.dataSource.manager, draft(b));
    await until(() => got.length >= 3, "a third event");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(got.map((e) => e.seq)).toEqual([high.seq, low.seq, expect.any(String)]);
    await stream.return?.();
    await Promise.all([t1.runner.release(), t2.runner.release()]);
  });

  it("is delivered, exactly once, when it commits while the LISTEN connection is down", async () => {
    const got: DomainEvent[] = [];
    const [a, b] = [resource(), resource()];
    const stream = await app.app.eventFeed.subscribe(partnerId("contoso"), (e) => e.resourceId === a || e.resourceId === b);
    collect(stream, got);
    const t1 = await transaction();
    const low = await events.append(t1.runner.manager, draft(a));
    const t2 = await transaction();
    const high = await events.append(t2.runner.manager, draft(b));
    await t2.runner.commitTransaction();
    await until(() => got.length >= 1, "the higher seq");
    // cut the feed's LISTEN connection, and commit the lower seq before it is back: its NOTIFY reaches nobody
    const listeners = await app.sql<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN pag_events'`);
    expect(listeners).toHaveLength(1);
    await app.sql(`SELECT pg_terminate_backend($1)`, [listeners[0]!.pid]);
    await t1.runner.commitTransaction();
    await until(() => got.length >= 2, "the lower seq, committed while not listening");
    await events.append(app.database.dataSource.manager, draft(b));
    await until(() => got.length >= 3, "a third event");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(got.map((e) => e.seq)).toEqual([high.seq, low.seq, expect.any(String)]);
    await stream.return?.();
    await Promise.all([t1.runner.release(), t2.runner.release()]);
  });
});
