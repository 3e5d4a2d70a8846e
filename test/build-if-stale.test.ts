import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureBuilt, STAMP, staleness, staticPrefix } from "../scripts/build-if-stale";

/**
 * scripts/build-if-stale.js (what `npm run token`, `db:*`, `schema:*` and `npm start` run before node) on a small
 * project of its own in a temporary folder, built with the repository's TypeScript.
 */
let root: string;

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

/** Modifies a file the way an editor does: the kernel dates it, on the clock that also dates the build's stamp. */
function touch(file: string): void {
  const full = path.join(root, file);
  fs.writeFileSync(full, fs.readFileSync(full));
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "pag-build-if-stale-"));
  write("package.json", JSON.stringify({ name: "fixture", private: true }));
  write(
    "tsconfig.json",
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "commonjs", strict: true, outDir: "dist", rootDir: ".", incremental: true, tsBuildInfoFile: "dist/.tsbuildinfo", types: [] },
      include: ["src/**/*.ts", "main.ts"],
    }),
  );
  write("main.ts", `import { a } from "./src/a";\nexport const main = a + 1;\n`);
  write("src/a.ts", "export const a: number = 1;\n");
  write("src/deep/b.ts", "export const b = 'b';\n");
  write("src/types.d.ts", "declare const ambient: number;\n");
  write("other/ignored.ts", "export const ignored = 1;\n");
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it("takes the static part of tsconfig include patterns as the folders to watch", () => {
  expect(staticPrefix("src/**/*.ts")).toBe("src");
  expect(staticPrefix("ormconfig.ts")).toBe("ormconfig.ts");
  expect(staticPrefix("bench/workloads/*.ts")).toBe("bench/workloads");
  expect(staticPrefix("**/*.ts")).toBe(".");
});

it("without a build: stale; builds, writes the stamp, then is current and does not build again", () => {
  expect(staleness(root)).toEqual({ stale: true, reason: `${STAMP} is missing (no successful build yet)` });
  expect(ensureBuilt(root)).toEqual({ built: true, code: 0 });
  expect(fs.existsSync(path.join(root, "dist", "src", "deep", "b.js"))).toBe(true);
  expect(fs.existsSync(path.join(root, STAMP))).toBe(true);
  expect(staleness(root)).toEqual({ stale: false });
  expect(ensureBuilt(root)).toEqual({ built: false, code: 0 });
});

it("touching a source file makes it stale (naming the file); after the build it is current", () => {
  touch("src/deep/b.ts");
  expect(staleness(root)).toEqual({ stale: true, reason: `${path.join("src", "deep", "b.ts")} changed after the last build` });
  expect(ensureBuilt(root)).toEqual({ built: true, code: 0 });
  expect(staleness(root)).toEqual({ stale: false });
});

it("tsconfig.json, package.json and a top-level included file count; files outside include do not", () => {
  const stampMs = fs.statSync(path.join(root, STAMP)).mtimeMs;
  for (const [i, file] of ["tsconfig.json", "package.json", "main.ts"].entries()) {
    const at = new Date(stampMs + 10 * (i + 1)); // after the last build started, each newer than the one before
    fs.utimesSync(path.join(root, file), at, at);
    expect(staleness(root)).toEqual({ stale: true, reason: `${file} changed after the last build` });
  }
  expect(ensureBuilt(root).code).toBe(0);
  expect(staleness(root)).toEqual({ stale: false });
  touch("other/ignored.ts");
  expect(staleness(root)).toEqual({ stale: false });
});

it("a file dated after the start of the last build counts as changed (an edit made during a build is not lost)", () => {
  const stampMs = fs.statSync(path.join(root, STAMP)).mtimeMs;
  const during = new Date(stampMs + 5);
  fs.utimesSync(path.join(root, "src", "a.ts"), during, during);
  expect(staleness(root)).toEqual({ stale: true, reason: `${path.join("src", "a.ts")} changed after the last build` });
  expect(ensureBuilt(root).code).toBe(0);
  expect(staleness(root)).toEqual({ stale: false });
});

it("a deleted source file (its folder changes) and a missing output both make it stale; the build restores the output", () => {
  write("src/deep/c.ts", "export const c = 3;\n");
  expect(ensureBuilt(root).code).toBe(0);
  fs.rmSync(path.join(root, "src", "deep", "c.ts"));
  expect(staleness(root)).toEqual({ stale: true, reason: `${path.join("src", "deep")} changed after the last build` });
  expect(ensureBuilt(root).code).toBe(0);

  // an incremental tsc would not notice: the .tsbuildinfo says the output is there
  fs.rmSync(path.join(root, "dist", "src", "a.js"));
  expect(staleness(root)).toEqual({ stale: true, reason: `dist has no output for ${path.join("src", "a.ts")}` });
  expect(ensureBuilt(root).code).toBe(0);
  expect(fs.existsSync(path.join(root, "dist", "src", "a.js"))).toBe(true);
  expect(staleness(root)).toEqual({ stale: false });
});

it("a failed build leaves no stamp, so the next run builds again; --always builds even when current", () => {
  write("src/a.ts", "export const a: number = 'not a number';\n");
  const result = ensureBuilt(root, { quiet: true });
  expect(result.built).toBe(true);
  expect(result.code).not.toBe(0);
  expect(fs.existsSync(path.join(root, STAMP))).toBe(false);
  expect(staleness(root).stale).toBe(true);

  write("src/a.ts", "export const a: number = 2;\n");
  expect(ensureBuilt(root)).toEqual({ built: true, code: 0 });
  expect(ensureBuilt(root, { always: true })).toEqual({ built: true, code: 0 });
  expect(staleness(root)).toEqual({ stale: false });
});
