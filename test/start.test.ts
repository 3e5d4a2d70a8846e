import { ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../src/db/free-port";

/**
 * What `npm start` does, on the built server: embedded PostgreSQL in the data
 * folder, migrations, demo data, the token command, and a clean stop on SIGTERM.
 */
const root = path.join(__dirname, "..");
let dataDir: string;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pag-start-"));
  fs.chmodSync(dataDir, 0o755); // the postgres user must reach the data folder inside
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function run(file: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [path.join(root, "dist", "src", file), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
}

it("starts on the embedded PostgreSQL with demo data, serves a token's query, and stops the database on SIGTERM", async () => {
  expect(fs.existsSync(path.join(root, "dist", "src", "main.js"))).toBe(true); // built by pretest
  const port = await freePort();
  const { DATABASE_URL: _ignored, JWT_SECRET: _secret, ...inherited } = process.env;
  const env = { ...inherited, NODE_ENV: "development", DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "warn" };
  const server = run("main.js", [], env);
  let output = "";
  server.stdout!.on("data", (chunk) => (output += chunk));
  server.stderr!.on("data", (chunk) => (output += chunk));
  try {
    for (let i = 0; i < 600 && !output.includes("Playground:"); i++) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain(`http://127.0.0.1:${port}/graphql`);

    const tokenProcess = run("cli/token.js", ["--partner", "1000006", "--role", "SALES_AGENT"], env);
    let token = "";
    tokenProcess.stdout!.on("data", (chunk) => (token += chunk));
    const code = await new Promise((resolve) => tokenProcess.on("exit", resolve));
    expect(code).toBe(0);
    expect(token.trim().split(".")).toHaveLength(3);

    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token.trim()}` },
      body: JSON.stringify({ query: "{ viewer { partner { name } } customers { totalCount } }" }),
    });
    const body = (await response.json()) as any;
    expect(body.data.viewer.partner.name).toBe("Adatum Europe");
    expect(body.data.customers.totalCount).toBeGreaterThan(30);
    expect(fs.readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8")).toMatch(/^\d+/);
    const postgresPid = Number(fs.readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);

    server.kill("SIGTERM");
    const exitCode = await new Promise((resolve) => server.on("exit", resolve));
    expect(exitCode).toBe(0);
    expect(() => process.kill(postgresPid, 0)).toThrow();
    expect(fs.existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false);
  } finally {
    if (server.exitCode === null) server.kill("SIGKILL");
  }
});
