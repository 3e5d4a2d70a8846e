import { ChildProcess, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { PartnerRole } from "../src/auth/roles";
import { createTokenService } from "../src/auth/tokens";
import { loadConfig } from "../src/config";
import { freePort } from "../src/db/free-port";
import { partnerId, userId } from "../src/db/seed/demo-data";
import { TEST_JWT_SECRET } from "./support/harness";

/**
 * SIGTERM on the built server (`node dist/src/main.js`) against a database of
 * the test server: requests in flight finish, new ones are turned away, then
 * everything closes in order. Requests are held deterministically by a table
 * lock taken from the test, never by timing.
 */
const root = path.join(__dirname, "..");
const SLOW_QUERY = "{ customers(first: 1) { totalCount nodes { companyName } } }";

interface LogLine {
  msg: string;
  [key: string]: unknown;
}

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
  socket: net.Socket;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: process.env.TEST_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** One spawned server on its own database, with its JSON log lines collected. */
class Server {
  readonly logs: LogLine[] = [];
  readonly exited: Promise<number | null>;

  private constructor(
    readonly process: ChildProcess,
    readonly port: number,
    readonly databaseUrl: string,
  ) {
    // a line buffer per stream: chunks of the two would interleave mid-line
    const collect = (stream: NodeJS.ReadableStream) => {
      let pending = "";
      stream.on("data", (chunk: Buffer) => {
        const lines = (pending + chunk.toString()).split("\n");
        pending = lines.pop()!;
        for (const line of lines) {
          try {
            this.logs.push(JSON.parse(line) as LogLine);
          } catch {
            // the banner, not a log line
          }
        }
      });
    };
    collect(process.stdout!);
    collect(process.stderr!);
    this.exited = new Promise((resolve) => process.on("exit", (code) => resolve(code)));
  }

  static async start(databaseUrl: string, dataDir: string, env: Record<string, string> = {}): Promise<Server> {
    const port = await freePort();
    const { DATABASE_URL: _url, JWT_SECRET: _secret, REDIS_URL: _redis, ...inherited } = process.env;
    const child = spawn(process.execPath, [path.join(root, "dist", "src", "main.js")], {
      env: {
        ...inherited,
        NODE_ENV: "test",
        LOG_LEVEL: "info",
        DATABASE_URL: databaseUrl,
        JWT_SECRET: TEST_JWT_SECRET,
        INVITATION_SECRET: "shutdown-test-invitation-secret",
        DATA_DIR: dataDir,
        PORT: String(port),
        DATABASE_POOL_SIZE: "25", // the 20 held requests and room for the rest
        // the lock holds queries on purpose, for as long as the test needs: no statement timeout, all 20 of one partner at once
        DATABASE_STATEMENT_TIMEOUT_MS: "0",
        PARTNER_CONCURRENCY: "25",
        PARTNER_QUEUE_TIMEOUT_MS: "600000",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const server = new Server(child, port, databaseUrl);
    await server.waitForLog("server listening");
    return server;
  }

  log(msg: string): LogLine | undefined {
    return this.logs.find((l) => l.msg === msg);
  }

  async waitForLog(msg: string): Promise<LogLine> {
    await waitFor(() => this.log(msg) !== undefined || this.process.exitCode !== null, `log "${msg}"`);
    const line = this.log(msg);
    if (!line) throw new Error(`the server exited (${this.process.exitCode}) before logging "${msg}": ${JSON.stringify(this.logs.slice(-5))}`);
    return line;
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

function post(port: number, token: string, query: string, agent: http.Agent): Promise<Response> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query });
    const req = http.request(
      { host: "127.0.0.1", port, path: "/graphql", method: "POST", agent, headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "content-length": Buffer.byteLength(body) } },
      (res) => {
        const socket = res.socket; // detached (back to the agent) by the end
        let text = "";
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => {
          try {
            resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text), socket });
          } catch {
            reject(new Error(`HTTP ${res.statusCode}, not JSON: ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Connects and refuses, or resolves with the error code of the attempt. */
function connectError(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** A request to `path` whose headers stay unfinished (an active, not idle, connection) until `finish()`. */
async function heldRequest(port: number, requestPath: string): Promise<{ finish(): Promise<string> }> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  let text = "";
  socket.on("data", (chunk) => (text += chunk));
  const ended = new Promise<string>((resolve) => socket.once("close", () => resolve(text)));
  socket.write(`GET ${requestPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
  return {
    finish() {
      socket.write("\r\n");
      return ended;
    },
  };
}

async function waitingOnLock(database: string): Promise<number> {
  const [row] = await admin(async (c) => (await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, [database])).rows);
  return row.n;
}

let dataDir: string;
let token: string;
const databases: string[] = [];
const servers: Server[] = [];

beforeAll(async () => {
  expect(fs.existsSync(path.join(root, "dist", "src", "main.js"))).toBe(true); // built by pretest
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pag-shutdown-"));
  const tokens = await createTokenService(loadConfig({ NODE_ENV: "test", JWT_SECRET: TEST_JWT_SECRET }));
  token = await tokens.sign({ sub: userId("contoso", PartnerRole.GLOBAL_ADMIN), pid: partnerId("contoso"), roles: [PartnerRole.GLOBAL_ADMIN] });
});
afterAll(async () => {
  for (const server of servers) if (server.process.exitCode === null) server.process.kill("SIGKILL");
  for (const name of databases) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A fresh database on the test server; the spawned server migrates and seeds it. */
async function freshDatabase(): Promise<{ name: string; url: string }> {
  const name = `t_${process.pid}_shutdown_${crypto.randomBytes(4).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  databases.push(name);
  return { name, url: withDatabase(process.env.TEST_ADMIN_URL!, name) };
}

/** Takes ACCESS EXCLUSIVE on customer: every customers query waits until `release()`. */
async function lockCustomers(url: string): Promise<{ release(): Promise<void> }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query("BEGIN");
  await client.query("LOCK TABLE customer IN ACCESS EXCLUSIVE MODE");
  return {
    async release() {
      await client.query("COMMIT");
      await client.end();
    },
  };
}

it("drains 20 requests in flight on SIGTERM, turns new ones away, ignores a second signal, and exits 0 after closing in order", async () => {
  const database = await freshDatabase();
  const server = await Server.start(database.url, dataDir);
  servers.push(server);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

  // warm: the token's user is looked up and cached; the socket stays idle in its own agent (never reused by the 20)
  const idleAgent = new http.Agent({ keepAlive: true });
  const warm = await post(server.port, token, SLOW_QUERY, idleAgent);
  expect(warm.status).toBe(200);
  expect(warm.headers.connection).toBe("keep-alive");
  const idleSocketClosed = new Promise((resolve) => warm.socket.once("close", resolve));

  const lock = await lockCustomers(database.url);
  let released = false;
  try {
    const inFlight = Array.from({ length: 20 }, () => post(server.port, token, SLOW_QUERY, agent));
    await waitFor(async () => (await waitingOnLock(database.name)) === 20, "20 queries waiting on the lock");
    const readyz = await heldRequest(server.port, "/readyz");

    server.process.kill("SIGTERM");
    await server.waitForLog("stopped accepting connections; draining the requests in flight");
    expect(server.log("stopped accepting connections; draining the requests in flight")).toMatchObject({ inFlight: 20, drainMs: 25_000 });

    // the listener is closed: a new connection is refused; an idle keep-alive connection is closed
    expect(await connectError(server.port)).toBe("ECONNREFUSED");
    await idleSocketClosed;
    // a request already on an open connection: not ready, and that connection closes after it
    const answer = await readyz.finish();
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer.slice(answer.indexOf("\r\n\r\n") + 4)).toBe(JSON.stringify({ status: "shutting down" }));

    // a second signal changes nothing: the 20 still wait, none was cancelled
    server.process.kill("SIGINT");
    await server.waitForLog("already shutting down; the requests in flight keep draining");
    expect(await waitingOnLock(database.name)).toBe(20);
    expect(server.process.exitCode).toBeNull();

    await lock.release();
    released = true;
    const responses = await Promise.all(inFlight);
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    for (const response of responses) {
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data.customers.totalCount).toBeGreaterThan(0);
      expect(response.body.data.customers.nodes).toHaveLength(1);
      expect(response.headers.connection).toBe("close");
    }
  } finally {
    if (!released) await lock.release();
    agent.destroy();
    idleAgent.destroy();
  }

  expect(await server.exited).toBe(0);
  expect(server.log("requests in flight finished")).toMatchObject({ finished: 21 }); // the 20 and the /readyz
  const steps = [
    "shutting down",
    "shutting down: /readyz answers 503",
    "stopped accepting connections; draining the requests in flight",
    "HTTP server closed",
    "Apollo stopped",
    "database pool closed",
    "shutdown complete",
  ];
  const order = steps.map((msg) => server.logs.findIndex((l) => l.msg === msg));
  expect(order.every((index) => index >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  expect(server.log("shutting down")).toMatchObject({ signal: "SIGTERM" });
  expect(server.logs.filter((l) => l.level !== undefined && Number(l.level) >= 50)).toEqual([]); // no error logged
});

it("closes the connections of requests still running when the drain time is up, then finishes the shutdown", async () => {
  const database = await freshDatabase();
  const server = await Server.start(database.url, dataDir, { SHUTDOWN_DRAIN_MS: "200" });
  servers.push(server);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const lock = await lockCustomers(database.url);
  let released = false;
  try {
    const stuck = post(server.port, token, SLOW_QUERY, agent).then(
      () => "answered",
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    await waitFor(async () => (await waitingOnLock(database.name)) === 1, "the query waiting on the lock");
    server.process.kill("SIGTERM");
    expect(await server.waitForLog("drain timed out; closing the remaining connections")).toMatchObject({ finished: 0, cut: 1 });
    expect(await stuck).toBe("ECONNRESET");
    // the pool closes once its last query returns
    await lock.release();
    released = true;
  } finally {
    if (!released) await lock.release();
    agent.destroy();
  }
  expect(await server.exited).toBe(0);
  expect(server.log("database pool closed")).toBeDefined();
});
