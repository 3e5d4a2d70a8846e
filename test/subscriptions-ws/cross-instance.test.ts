import type { Client } from "graphql-ws";
import { customerInput, CUSTOMER_CREATE } from "../support/fixtures";
import { dataOf, partnerId, PartnerRole, TestApp } from "../support/harness";
import { subscribe, subscribed, until, wsClient, wsUrl } from "./support";

/**
 * Two instances on one database: a change committed through instance A
 * reaches a subscriber connected to instance B (B's own LISTEN connection),
 * and stopping an instance ends its subscriptions and tells their clients
 * to go elsewhere.
 */
let a: TestApp;
let b: TestApp;
const clients: Client[] = [];

beforeAll(async () => {
  a = await TestApp.start();
  b = await TestApp.start({ databaseUrl: a.config.databaseUrl!, seed: false });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await b?.close();
  await a?.close();
});

it("delivers an event committed on instance A to a subscriber of instance B", async () => {
  const client = wsClient(wsUrl(await b.url()), await b.token("contoso", PartnerRole.GLOBAL_ADMIN));
  clients.push(client);
  const received = subscribe(client, `subscription { customerEvents { type customer { id companyName } } }`);
  await subscribed(b, partnerId("contoso"));
  expect(a.app.eventFeed.subscriberCount()).toBe(0); // nobody listens on A: the event can only reach B through PostgreSQL

  const created = dataOf(await a.as("contoso", PartnerRole.GLOBAL_ADMIN).run(CUSTOMER_CREATE, { input: customerInput({ billingProfile: { companyName: "Written On A Ltd" } }) })).customerCreate;
  await until(() => received.results.length >= 1, "the event on B");
  expect(received.results).toEqual([{ data: { customerEvents: { type: "customer.created", customer: { id: created.customer.id, companyName: "Written On A Ltd" } } } }]);
  received.stop();
});

it("keeps delivering after B's LISTEN connection is cut, with the events written meanwhile", async () => {
  const client = wsClient(wsUrl(await b.url()), await b.token("contoso", PartnerRole.GLOBAL_ADMIN));
  clients.push(client);
  const received = subscribe(client, `subscription { customerEvents { type customer { companyName } } }`);
  await subscribed(b, partnerId("contoso"));

  // end B's LISTEN backend from outside, as a failover or a restart of PostgreSQL would
  const [listener] = await a.sql<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN pag_events'`);
  expect(listener).toBeDefined();
  await a.sql(`SELECT pg_terminate_backend($1)`, [listener!.pid]);
  await a.as("contoso", PartnerRole.GLOBAL_ADMIN).run(CUSTOMER_CREATE, { input: customerInput({ billingProfile: { companyName: "Written While Cut Ltd" } }) });
  await until(() => received.results.length >= 1, "the event written while B was not listening");
  expect(received.results).toEqual([{ data: { customerEvents: { type: "customer.created", customer: { companyName: "Written While Cut Ltd" } } } }]);
  received.stop();
});

it("ends the subscriptions of an instance that shuts down, closing their sockets with 1001", async () => {
  const c = await TestApp.start({ databaseUrl: a.config.databaseUrl!, seed: false });
  let closedWith: number | null = null;
  const client = wsClient(wsUrl(await c.url()), await c.token("contoso", PartnerRole.GLOBAL_ADMIN));
  client.on("closed", (event) => (closedWith = (event as { code: number }).code));
  clients.push(client);
  const received = subscribe(client, `subscription { customerEvents { type } }`);
  await subscribed(c, partnerId("contoso"));
  await c.close(); // the database is A's: it stays
  await until(() => closedWith !== null, "the socket to close");
  expect(closedWith).toBe(1001);
  expect(c.app.eventFeed.subscriberCount()).toBe(0);
  expect(received.results).toEqual([]);
});
