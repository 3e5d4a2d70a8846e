import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Client, SubscribePayload } from "graphql-ws";
import WebSocket from "ws";
import { partnerId, PartnerRole, TestApp } from "../support/harness";
import { refusal, subscribe, subscribed, until, wsClient, wsUrl } from "./support";

/**
 * A WebSocket subscribe message passes the admission an HTTP request passes
 * (src/server/admission.ts): PERSISTED_OPERATIONS, the partner's cost budget,
 * the partner's concurrency lane; and a partner may hold at most
 * SUBSCRIPTION_CONNECTIONS_PER_PARTNER connections on one instance.
 */
const CUSTOMER_EVENTS = "subscription { customerEvents { type customer { id } } }";
const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

type Failure = { message: string; extensions?: Record<string, any> }[];
const failureOf = (received: { failure: unknown }) => received.failure as Failure;

/** A raw graphql-transport-ws socket, acknowledged or closed by the server; left open when acknowledged. */
function connect(url: string, token: string): Promise<{ socket: WebSocket; acknowledged: boolean; code?: number; reason?: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "graphql-transport-ws");
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })));
    socket.on("message", (data) => {
      if (JSON.parse(String(data)).type === "connection_ack") resolve({ socket, acknowledged: true });
    });
    socket.on("close", (code, reason) => resolve({ socket, acknowledged: false, code, reason: String(reason) }));
    socket.on("error", reject);
  });
}

const closeAll = (sockets: WebSocket[]) =>
  Promise.all(sockets.map((s) => (s.readyState === WebSocket.CLOSED ? null : new Promise((resolve) => (s.once("close", resolve), s.close(1000))))));

describe("WebSocket connections per partner (SUBSCRIPTION_CONNECTIONS_PER_PARTNER)", () => {
  let app: TestApp;
  let url: string;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    app = await TestApp.start({ env: { SUBSCRIPTION_CONNECTIONS_PER_PARTNER: "2" } });
    url = wsUrl(await app.url());
  });
  afterAll(async () => {
    await closeAll(sockets);
    await app?.close();
  });

  it("refuses a partner's connection over the cap with 4429 THROTTLED, other partners unaffected, and frees the place when one closes", async () => {
    const contoso = await app.token("contoso", PartnerRole.GLOBAL_ADMIN);
    const contosoAgent = await app.token("contoso", PartnerRole.ADMIN_AGENT); // another user: the cap is the partner's
    const first = await connect(url, contoso);
    const second = await connect(url, contosoAgent);
    sockets.push(first.socket, second.socket);
    expect([first.acknowledged, second.acknowledged]).toEqual([true, true]);

    const third = await connect(url, contoso);
    sockets.push(third.socket);
    expect(third).toMatchObject({ acknowledged: false, code: 4429, reason: expect.stringMatching(/^THROTTLED: your partner has 2 WebSocket connections open/) });

    const fabrikam = await connect(url, await app.token("fabrikam", PartnerRole.GLOBAL_ADMIN));
    sockets.push(fabrikam.socket);
    expect(fabrikam.acknowledged).toBe(true);

    await closeAll([first.socket]);
    // the server counts the close when its side of the socket closes: poll with fresh connections
    let acknowledged = false;
    for (let attempt = 0; attempt < 50 && !acknowledged; attempt++) {
      const again = await connect(url, contoso);
      sockets.push(again.socket);
      acknowledged = again.acknowledged;
      if (!acknowledged) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(acknowledged).toBe(true);
  });

  it("does not count refused connections (bad token) against the partner", async () => {
    expect((await refusal(url, { authorization: "Bearer not-a-jwt" })).code).toBe(4401);
    const token = await app.token("fabrikam", PartnerRole.ADMIN_AGENT);
    const second = await connect(url, token); // fabrikam holds one from the test above
    sockets.push(second.socket);
    expect(second.acknowledged).toBe(true);
    const third = await connect(url, token);
    sockets.push(third.socket);
    expect(third.code).toBe(4429);
  });
});

describe("PERSISTED_OPERATIONS over WebSocket", () => {
  const REGISTERED = "subscription RegisteredEvents { customerEvents { type customer { id } } }";
  let manifest: string;

  beforeAll(() => {
    manifest = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pag-ws-persisted-")), "persisted-documents.json");
    fs.writeFileSync(manifest, JSON.stringify({ [`sha256:${sha256(REGISTERED)}`]: REGISTERED }));
  });
  afterAll(() => fs.rmSync(path.dirname(manifest), { recursive: true, force: true }));

  async function started(mode: "only" | "allow") {
    const app = await TestApp.start({ env: { PERSISTED_OPERATIONS: mode, PERSISTED_OPERATIONS_MANIFEST: manifest } });
    const client = wsClient(wsUrl(await app.url()), await app.token("contoso", PartnerRole.GLOBAL_ADMIN));
    return { app, client };
  }

  /** Subscribes, waits until it is live server-side (or refused), and stops it. */
  async function attempt(app: TestApp, client: Client, payload: SubscribePayload & { documentId?: string }) {
    const received = { results: [] as unknown[], failure: null as unknown, completed: false };
    const stop = client.subscribe(payload, {
      next: (r) => void received.results.push(r),
      error: (e) => ((received.failure = e), (received.completed = true)),
      complete: () => void (received.completed = true),
    });
    await until(() => received.completed || app.app.eventFeed.subscriberCount(partnerId("contoso")) === 1, "the subscription to start or be refused");
    const live = !received.completed;
    stop();
    if (live) await subscribed(app, partnerId("contoso"), 0);
    return { live, failure: received.failure as Failure | null };
  }

  describe("only", () => {
    let app: TestApp;
    let client: Client;
    beforeAll(async () => ({ app, client } = await started("only")));
    afterAll(async () => {
      await client?.dispose();
      await app?.close();
    });

    it("refuses an unregistered subscription document with PERSISTED_QUERY_ONLY, as HTTP does", async () => {
      const refused = await attempt(app, client, { query: CUSTOMER_EVENTS });
      expect(refused.live).toBe(false);
      expect(refused.failure).toEqual([{ message: expect.stringContaining("registered operations only"), extensions: { code: "PERSISTED_QUERY_ONLY" } }]);
    });

    it("refuses an unknown hash with PERSISTED_QUERY_NOT_FOUND", async () => {
      const refused = await attempt(app, client, { query: "", extensions: { persistedQuery: { version: 1, sha256Hash: sha256(CUSTOMER_EVENTS) } } });
      expect(refused.failure?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_NOT_FOUND"]);
    });

    it("runs the registered document sent by APQ hash, by documentId, or as its exact text", async () => {
      expect(await attempt(app, client, { query: "", extensions: { persistedQuery: { version: 1, sha256Hash: sha256(REGISTERED) } } })).toEqual({ live: true, failure: null });
      expect(await attempt(app, client, { query: "", documentId: `sha256:${sha256(REGISTERED)}` })).toEqual({ live: true, failure: null });
      expect(await attempt(app, client, { query: REGISTERED })).toEqual({ live: true, failure: null });
    });
  });

  describe("allow", () => {
    let app: TestApp;
    let client: Client;
    beforeAll(async () => ({ app, client } = await started("allow")));
    afterAll(async () => {
      await client?.dispose();
      await app?.close();
    });

    it("runs a registered id and free-form documents alike", async () => {
      expect(await attempt(app, client, { query: "", extensions: { persistedQuery: { version: 1, sha256Hash: sha256(REGISTERED) } } })).toEqual({ live: true, failure: null });
      expect(await attempt(app, client, { query: CUSTOMER_EVENTS })).toEqual({ live: true, failure: null });
      const unknown = await attempt(app, client, { query: "", documentId: `sha256:${sha256(CUSTOMER_EVENTS)}` });
      expect(unknown.failure?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_NOT_FOUND"]);
    });
  });
});

describe("the partner's cost budget and concurrency lane over WebSocket", () => {
  const CAPACITY = 1000;
  let app: TestApp;
  let url: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    // hardly any refill: what is taken stays taken for the length of the test; no queue: a full lane refuses at once
    app = await TestApp.start({ env: { RATE_LIMIT_CAPACITY: String(CAPACITY), RATE_LIMIT_REFILL_PER_SECOND: "0.001", PARTNER_CONCURRENCY: "1", PARTNER_QUEUE_LIMIT: "0" } });
    url = wsUrl(await app.url());
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await app?.close();
  });

  async function clientOf(partner: "contoso" | "fabrikam"): Promise<Client> {
    const client = wsClient(url, await app.token(partner, PartnerRole.GLOBAL_ADMIN));
    clients.push(client);
    return client;
  }

  it("charges a subscribe operation's requested cost to the partner's budget, the one HTTP operations spend", async () => {
    const contoso = partnerId("contoso");
    const received = subscribe(await clientOf("contoso"), CUSTOMER_EVENTS);
    await subscribed(app, contoso);
    const cost = CAPACITY - (await app.app.budget.remaining(contoso));
    expect(cost).toBeGreaterThan(0);
    received.stop();
    await subscribed(app, contoso, 0);

    // HTTP spends the rest of the bucket: the next subscribe is refused THROTTLED, with retryAfter, and subscribes nothing
    const left = await app.app.budget.remaining(contoso);
    expect(await app.app.budget.take(contoso, left)).toEqual({ ok: true });
    const refused = subscribe(await clientOf("contoso"), CUSTOMER_EVENTS);
    await until(() => refused.completed, "the refusal");
    expect(failureOf(refused)).toEqual([{ message: expect.stringMatching(/^Your partner's cost budget is spent; retry in \d+ s\.$/), extensions: { code: "THROTTLED", retryAfter: expect.any(Number) } }]);
    expect(app.app.eventFeed.subscriberCount(contoso)).toBe(0);

    // another partner's budget is its own
    const fabrikam = subscribe(await clientOf("fabrikam"), CUSTOMER_EVENTS);
    await subscribed(app, partnerId("fabrikam"));
    fabrikam.stop();
    await subscribed(app, partnerId("fabrikam"), 0);
  });

  it("starts a subscription in a slot of the partner's lane: a full lane refuses it THROTTLED and refunds its cost", async () => {
    const fabrikam = partnerId("fabrikam");
    const held = app.app.concurrency.acquire(fabrikam); // PARTNER_CONCURRENCY=1: the lane is full
    await held.granted;
    try {
      const before = await app.app.budget.remaining(fabrikam);
      const refused = subscribe(await clientOf("fabrikam"), CUSTOMER_EVENTS);
      await until(() => refused.completed, "the refusal");
      const errors = refused.results.flatMap((r) => r.errors ?? []);
      expect(errors.map((e) => e.extensions?.code)).toEqual(["THROTTLED"]);
      expect(app.app.eventFeed.subscriberCount(fabrikam)).toBe(0);
      expect(await app.app.budget.remaining(fabrikam)).toBe(before);
    } finally {
      held.release();
    }
    expect(app.app.concurrency.of(fabrikam)).toEqual({ running: 0, waiting: 0 });
  });
});
