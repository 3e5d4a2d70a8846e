import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { demoCaller, signDemoToken } from "../src/auth/demo-tokens";
import { createTokenService } from "../src/auth/tokens";
import { bootstrap } from "../src/bootstrap";
import { loadConfig } from "../src/config";
import { seedDemoData, partnerId } from "../src/db/seed/demo-data";
import { invitationSecretOf } from "../src/modules/relationships/invitation-token";
import { loggerFor } from "../src/server/logger";
import { customerCreateInput } from "./workloads";

/**
 * Pushed events end to end (`npm run bench:events`): a scripted scenario (invite → accept → remove) with its webhook
 * delivery log, then the latency from a mutation's commit to its webhook delivery and to a GraphQL subscriber, over
 * `--events` customer creations (default 250), one at a time. The server runs in this process with its in-process
 * delivery worker, on DATABASE_URL or an embedded PostgreSQL of its own (`.data/events-bench`); the receiver is a
 * local HTTP server that verifies each signature, the subscriber a graphql-ws client. Commit is taken as the moment
 * the mutation's answer arrives (the transaction committed just before it was sent), so the figures include the
 * worker's wake-up (NOTIFY), the delivery POST and the subscription's fan-out. Writes bench/results/events-<date>.md.
 */
const root = path.resolve(__dirname, "..", "..");
const args = parseArgs({ options: { events: { type: "string", default: "250" }, out: { type: "string", default: path.join(root, "bench", "results") } } });
const EVENTS = Math.max(1, Number(args.values.events));

interface Delivery {
  at: number;
  id: string;
  type: string;
  resourceId: string;
  verified: boolean;
}

/** The Standard Webhooks signature of a delivery, as a receiver checks it. */
function signatureOf(secret: string, id: string, timestamp: string, body: string): string {
  return "v1," + crypto.createHmac("sha256", Buffer.from(secret.slice("whsec_".length), "base64")).update(`${id}.${timestamp}.${body}`).digest("base64");
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const ms = (value: number) => value.toFixed(2);

async function main(): Promise<void> {
  const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: "development", LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" };
  if (!env.DATABASE_URL) env.DATA_DIR ??= path.join(root, ".data", "events-bench");
  const config = loadConfig(env);
  const log = loggerFor(config);
  const running = await bootstrap(config, log);
  await seedDemoData(running.database.dataSource, invitationSecretOf(config));
  const server = await running.app.listen(0, "127.0.0.1");
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokens = await createTokenService(config);
  const token = await signDemoToken(tokens, demoCaller("contoso", ["GLOBAL_ADMIN"]));
  const started = performance.now();

  const graphql = async (query: string, variables: Record<string, unknown>, bearer: string | null = token) => {
    const response = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 400)}`);
    return body.data;
  };

  // the receiver: every delivery, signature checked
  let secret = "";
  const deliveries: Delivery[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const at = performance.now();
      const body = Buffer.concat(chunks).toString("utf8");
      const id = String(req.headers["webhook-id"]);
      const verified = req.headers["webhook-signature"] === signatureOf(secret, id, String(req.headers["webhook-timestamp"]), body);
      const event = JSON.parse(body) as { type: string; resourceId: string };
      deliveries.push({ at, id, type: event.type, resourceId: event.resourceId, verified });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  const created = (
    await graphql(`mutation($input: WebhookCreateInput!) { webhookCreate(input: $input) { secret webhook { id } userErrors { code message } } }`, {
      input: { url: hookUrl, eventTypes: ["customer.created", "relationshipRequest.created", "relationship.accepted", "relationship.removed"], description: "events bench" },
    })
  ).webhookCreate;
  if (created.userErrors.length) throw new Error(`webhookCreate: ${JSON.stringify(created.userErrors)}`);
  secret = created.secret;

  // the subscriber
  const pushed = new Map<string, number>();
  const ws = createClient({ url: `${base.replace(/^http/, "ws")}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, lazy: false, retryAttempts: 0 });
  const stop = ws.subscribe<{ customerEvents: { type: string; resourceId: string } }>(
    { query: `subscription { customerEvents { id type resourceId } }` },
    {
      next: (result) => {
        const event = result.data?.customerEvents;
        if (event) pushed.set(`${event.type} ${event.resourceId}`, performance.now());
      },
      error: (error) => log.error({ err: error }, "subscription failed"),
      complete: () => undefined,
    },
  );
  for (let i = 0; i < 500 && running.app.eventFeed.subscriberCount(partnerId("contoso")) === 0; i++) await new Promise((r) => setTimeout(r, 10));
  if (running.app.eventFeed.subscriberCount(partnerId("contoso")) === 0) throw new Error("the subscription did not start");
  const until = async (condition: () => boolean, what: string) => {
    for (let i = 0; i < 1000; i++) {
      if (condition()) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  // the scenario: Contoso invites, a customer accepts (no bearer token: the invitation is the credential), Contoso removes
  const scenarioFrom = deliveries.length;
  const invite = (await graphql(`mutation { relationshipRequestCreate(input: {}) { relationshipRequest { id invitationUrl } userErrors { code } } }`, {})).relationshipRequestCreate;
  const [tenant] = (await running.database.dataSource.query(
    `SELECT c.tenant_id FROM customer c WHERE c.cloud = 'COMMERCIAL' AND c.country = 'US'
        AND NOT EXISTS (SELECT 1 FROM customer_relationship r WHERE r.customer_id = c.id AND r.partner_id = $1) LIMIT 1`,
    [partnerId("contoso")],
  )) as { tenant_id: string }[];
  const accepted = (
    await graphql(
      `mutation($input: RelationshipRequestAcceptInput!) { relationshipRequestAccept(input: $input) { customer { id } userErrors { code } } }`,
      { input: { invitationToken: new URL(invite.relationshipRequest.invitationUrl).searchParams.get("token"), customerTenantId: tenant!.tenant_id } },
      null,
    )
  ).relationshipRequestAccept;
  await graphql(`mutation($input: RelationshipRemoveInput!) { relationshipRemove(input: $input) { removedCustomerId userErrors { code } } }`, {
    input: { customerId: accepted.customer.id, suspendActiveSubscriptions: true },
  });
  await until(() => deliveries.length >= scenarioFrom + 3, "the scenario's three deliveries");
  const scenario = deliveries.slice(scenarioFrom);

  // latency: one customer creation at a time, each waited for at the receiver and at the subscriber
  const webhook: number[] = [];
  const subscriber: number[] = [];
  const run = crypto.randomBytes(3).toString("hex");
  for (let i = 0; i < EVENTS; i++) {
    const answer = (
      await graphql(`mutation($input: CustomerCreateInput!) { customerCreate(input: $input) { customer { id } userErrors { code field } } }`, { input: customerCreateInput(`lat${run}${i}`) })
    ).customerCreate;
    const committed = performance.now();
    if (answer.userErrors.length) throw new Error(`customerCreate: ${JSON.stringify(answer.userErrors)}`);
    const resourceId = answer.customer.id as string;
    await until(() => deliveries.some((d) => d.resourceId === resourceId && d.type === "customer.created") && pushed.has(`customer.created ${resourceId}`), `the events of ${resourceId}`);
    webhook.push(deliveries.find((d) => d.resourceId === resourceId && d.type === "customer.created")!.at - committed);
    subscriber.push(pushed.get(`customer.created ${resourceId}`)! - committed);
  }
  stop();
  await ws.dispose();
  // the next run's receiver listens elsewhere: this webhook goes, so no worker retries into a closed port
  await graphql(`mutation($input: WebhookIdInput!) { webhookDelete(input: $input) { deletedWebhookId } }`, { input: { id: created.webhook.id } });

  const unverified = deliveries.filter((d) => !d.verified).length;
  const lines = [
    `# Pushed events, end to end (${new Date().toISOString().slice(0, 10)})`,
    "",
    `\`npm run bench:events\` (bench/events-latency.ts): server, in-process delivery worker, receiver and subscriber on one machine (${process.platform}, ${process.arch}, Node ${process.version}).`,
    "",
    "## Scenario: invite → accept → remove (Contoso's webhook)",
    "",
    "| ms since start | event | resource | webhook-id | signature |",
    "|---|---|---|---|---|",
    ...scenario.map((d) => `| ${ms(d.at - started)} | ${d.type} | ${d.resourceId} | ${d.id} | ${d.verified ? "verified" : "WRONG"} |`),
    "",
    `## Latency from commit, over ${EVENTS} \`customer.created\` events`,
    "",
    "| to | median ms | p95 ms | p99 ms | max ms |",
    "|---|---|---|---|---|",
  ];
  for (const [name, values] of [
    ["webhook delivery (receiver got the POST)", webhook],
    ["subscriber (graphql-ws message)", subscriber],
  ] as const) {
    const sorted = [...values].sort((a, b) => a - b);
    lines.push(`| ${name} | ${ms(quantile(sorted, 0.5))} | ${ms(quantile(sorted, 0.95))} | ${ms(quantile(sorted, 0.99))} | ${ms(sorted.at(-1)!)} |`);
  }
  lines.push("", `Deliveries received: ${deliveries.length}, signatures that did not verify: ${unverified}.`);
  const text = lines.join("\n") + "\n";
  process.stdout.write(text);
  fs.mkdirSync(args.values.out!, { recursive: true });
  fs.writeFileSync(path.join(args.values.out!, `events-${new Date().toISOString().slice(0, 10)}.md`), text);

  receiver.close();
  await running.stop();
  if (unverified > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
