import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, stopStrayServer } from "../../src/db/embedded";

const PREFIX = "pag-test-";

/** Stops and removes clusters of earlier runs whose jest process is gone (e.g. after SIGKILL). */
async function sweepStaleClusters(): Promise<void> {
  for (const name of fs.readdirSync(os.tmpdir())) {
    // cluster folders have no extension: a live run's `.owner` (or `.log`) file is not a stale cluster
    if (!name.startsWith(PREFIX) || path.extname(name) !== "") continue;
    const dir = path.join(os.tmpdir(), name);
    const ownerFile = path.join(dir, "..", `${name}.owner`);
    const owner = fs.existsSync(ownerFile) ? Number(fs.readFileSync(ownerFile, "utf8")) : NaN;
    let alive = false;
    try {
      if (Number.isInteger(owner)) {
        process.kill(owner, 0);
        alive = true;
      }
    } catch {
      alive = false;
    }
    if (alive) continue;
    await stopStrayServer(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(ownerFile, { force: true });
  }
}

/**
 * One PostgreSQL per test run: DATABASE_URL's server when set, else an
 * embedded one in a temporary folder. Each test file creates its own database.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  await sweepStaleClusters();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  fs.writeFileSync(`${dir}.owner`, String(process.pid));
  const cluster = await startEmbeddedPostgres({ dataDir: dir, fast: true });
  process.env.TEST_ADMIN_URL = cluster.adminUrl;
  (globalThis as Record<string, unknown>).__testCluster = { cluster, dir };
}
