import http from "node:http";
import { verifySignature } from "../modules/webhooks/webhook-signature";

/**
 * A demo webhook receiver (`npm run webhook:receive -- --secret whsec_…`):
 * verifies each delivery's signature, drops duplicates by event id, prints
 * the event and answers 204 (401 for a bad signature). `--fail N` answers 500
 * to the first N deliveries, to watch the retries.
 */
export interface ReceivedEvent {
  id: string;
  type: string;
  occurredAt: string;
  resourceId: string;
  data: unknown;
}

export interface ReceiverOptions {
  secret: string;
  /** Deliveries answered 500 before the first success (to watch retries). */
  failFirst?: number;
  onEvent?(event: ReceivedEvent, duplicate: boolean): void;
  onRejected?(reason: string): void;
}

export function createReceiver(options: ReceiverOptions): http.Server {
  const seen = new Set<string>();
  let failures = options.failFirst ?? 0;
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const header = (name: string) => (typeof req.headers[name] === "string" ? (req.headers[name] as string) : undefined);
      const verdict = verifySignature(options.secret, { id: header("webhook-id"), timestamp: header("webhook-timestamp"), signature: header("webhook-signature") }, body);
      if (!verdict.ok) {
        options.onRejected?.(verdict.reason);
        res.writeHead(401).end();
        return;
      }
      if (failures > 0) {
        failures--;
        res.writeHead(500).end();
        return;
      }
      const event = JSON.parse(body) as ReceivedEvent;
      const duplicate = seen.has(event.id);
      seen.add(event.id);
      options.onEvent?.(event, duplicate);
      res.writeHead(204).end();
    });
  });
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (require.main === module) {
  const secret = argument("secret") ?? process.env.WEBHOOK_SECRET;
  if (!secret) {
    process.stderr.write("usage: npm run webhook:receive -- --secret whsec_… [--port 4400] [--fail N]   (or WEBHOOK_SECRET=whsec_…)\n");
    process.exit(2);
  }
  const port = Number(argument("port") ?? process.env.PORT ?? 4400);
  const server = createReceiver({
    secret,
    failFirst: Number(argument("fail") ?? 0),
    onEvent: (event, duplicate) => {
      const line = `${event.occurredAt}  ${event.type.padEnd(32)} ${event.resourceId}  id=${event.id}${duplicate ? "  (duplicate, ignored)" : ""}`;
      process.stdout.write(duplicate ? `${line}\n` : `${line}\n${JSON.stringify(event.data, null, 2)}\n`);
    },
    onRejected: (reason) => process.stdout.write(`rejected a delivery: ${reason}\n`),
  });
  server.listen(port, "127.0.0.1", () => process.stdout.write(`receiving webhooks on http://127.0.0.1:${port}/ (signatures checked with the given secret)\n`));
  process.on("SIGINT", () => server.close(() => process.exit(0)));
}
