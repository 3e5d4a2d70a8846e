import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { startEmbeddedPostgres } from "../src/db/embedded";

/** `npm start` from a checkout the postgres user cannot enter (a 0700 temp dir, /root) still gets its database. */
describe("the embedded PostgreSQL", () => {
  it("keeps its data in the temp directory when the postgres user cannot reach the requested folder, the same one on every start", async () => {
    const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pag-private-"));
    fs.chmodSync(privateDir, 0o700);
    const requested = path.join(privateDir, ".data", "postgres");
    const first = await startEmbeddedPostgres({ dataDir: requested, fast: true });
    try {
      const client = new Client({ connectionString: first.adminUrl });
      await client.connect();
      const { rows } = await client.query("SELECT 1 AS one");
      await client.end();
      expect(rows).toEqual([{ one: 1 }]);
      if (process.getuid?.() === 0) {
        expect(first.dataDir).not.toBe(requested);
        expect(first.dataDir.startsWith(path.join(os.tmpdir(), "pag-data-"))).toBe(true);
      } else {
        expect(first.dataDir).toBe(requested); // not root: the server runs as this user, who reaches its own folder
      }
    } finally {
      await first.stop();
    }
    const second = await startEmbeddedPostgres({ dataDir: requested, fast: true });
    await second.stop();
    expect(second.dataDir).toBe(first.dataDir);
    fs.rmSync(path.dirname(first.dataDir), { recursive: true, force: true });
    fs.rmSync(privateDir, { recursive: true, force: true });
  });
});
