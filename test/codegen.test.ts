import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { buildSchema, parse, validate } from "graphql";
import { projectRoot } from "../src/config";

/** examples/client/gql/ is generated from schema.graphql and the example documents: committed, current, deterministic. */
const ROOT = projectRoot();
const COMMITTED = path.join(ROOT, "examples", "client", "gql");
const CODEGEN = path.join(ROOT, "node_modules", ".bin", "graphql-codegen");

function filesOf(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) files[name] = fs.readFileSync(path.join(dir, name), "utf8");
  return files;
}

/** Runs `npm run codegen`'s command with its output redirected into a fresh temporary folder. */
async function generate(): Promise<string> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "codegen-"));
  await promisify(execFile)(CODEGEN, ["--config", "codegen.ts", "--silent"], { cwd: ROOT, env: { ...process.env, CODEGEN_OUT: out }, timeout: 60_000 });
  return out;
}

describe("generated client types", () => {
  let outputs: string[] = [];
  afterAll(() => outputs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it("match what `npm run codegen` writes today, byte for byte, on every run (run it after changing schema.graphql or an example operation)", async () => {
    outputs = await Promise.all([generate(), generate()]);
    const [first, second] = outputs.map(filesOf);
    expect(Object.keys(first!)).toEqual(["gql.ts", "graphql.ts", "index.ts", "persisted-documents.json"]);
    expect(second).toEqual(first);
    expect(filesOf(COMMITTED)).toEqual(first);
  });

  it("register only documents the committed schema validates", () => {
    const schema = buildSchema(fs.readFileSync(path.join(ROOT, "schema.graphql"), "utf8"));
    const manifest = JSON.parse(fs.readFileSync(path.join(COMMITTED, "persisted-documents.json"), "utf8")) as Record<string, string>;
    expect(Object.keys(manifest).length).toBeGreaterThanOrEqual(3);
    for (const [id, text] of Object.entries(manifest)) expect({ id, errors: validate(schema, parse(text)).map((e) => e.message) }).toEqual({ id, errors: [] });
  });
});
