#!/usr/bin/env node
"use strict";
/**
 * Builds dist/ with `tsc -p tsconfig.json` only when it is stale, so `npm run token`, `db:migrate`, `db:seed`,
 * `schema:emit`, `schema:release` and `npm start` do not pay for a build (~4.5 s) when nothing changed.
 *
 *   node scripts/build-if-stale.js            build when stale, else do nothing
 *   node scripts/build-if-stale.js --always   always build (`npm run build`)
 *   node scripts/build-if-stale.js --check    print "current" or "stale: <reason>", exit 0 or 1; never builds
 *
 * dist is current when dist/.build-stamp exists, every .ts file tsc compiles has its .js in dist, and nothing the
 * build reads — the files and folders under tsconfig.json's "include" roots (a deleted file changes its folder's
 * mtime), tsconfig*.json, package.json, package-lock.json — was modified after the last successful build started.
 * The stamp is a file created when a build starts and kept only when it succeeds: its mtime is that start, on the
 * file system's own clock (the one that dates the sources), so an edit made during a build is seen by the next run.
 * tsc's messages go to stderr, so `TOKEN=$(npm run --silent token -- ...)` captures only the token.
 * Plain JavaScript on purpose: it has to run before anything is compiled.
 */
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const STAMP = path.join("dist", ".build-stamp");
const BUILD_INFO = path.join("dist", ".tsbuildinfo");
const FALLBACK_INCLUDE = ["src/**/*.ts", "ormconfig.ts", "bench/**/*.ts"];

/** tsconfig.json's "include" patterns (the defaults of this project when it cannot be read as JSON). */
function includePatterns(root) {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.json"), "utf8"));
    if (Array.isArray(config.include) && config.include.length > 0) return config.include;
  } catch {
    // not plain JSON (comments): fall back to what this project compiles
  }
  return FALLBACK_INCLUDE;
}

/** The part of an include pattern before its first wildcard segment: "src/**\/*.ts" -> "src". */
function staticPrefix(pattern) {
  const segments = pattern.split("/");
  const index = segments.findIndex((segment) => /[*?[{]/.test(segment));
  return (index === -1 ? segments : segments.slice(0, index)).join("/") || ".";
}

/** Every file and folder below `start` (itself included), skipping node_modules and dist. */
function walk(start, visit) {
  let stat;
  try {
    stat = fs.statSync(start);
  } catch {
    return;
  }
  visit(start, stat);
  if (!stat.isDirectory()) return;
  for (const name of fs.readdirSync(start)) {
    if (name === "node_modules" || name === "dist" || name === ".git") continue;
    walk(path.join(start, name), visit);
  }
}

/** The build's inputs: newest mtime (ms) and which file it is, plus the .ts files whose .js must be in dist. */
function scanInputs(root) {
  let newest = { mtimeMs: 0, file: "" };
  const note = (file, stat) => {
    if (stat.mtimeMs > newest.mtimeMs) newest = { mtimeMs: stat.mtimeMs, file: path.relative(root, file) || file };
  };
  const sources = new Set();
  for (const name of fs.readdirSync(root)) {
    if (/^tsconfig.*\.json$/.test(name) || name === "package.json" || name === "package-lock.json") {
      note(path.join(root, name), fs.statSync(path.join(root, name)));
    }
  }
  for (const prefix of new Set(includePatterns(root).map(staticPrefix))) {
    walk(path.join(root, prefix), (file, stat) => {
      note(file, stat);
      if (stat.isFile() && /\.ts$/.test(file) && !/\.d\.ts$/.test(file)) sources.add(path.relative(root, file));
    });
  }
  return { newest, sources: [...sources] };
}

/** The stamp's mtime (ms): when the last successful build started; undefined without one. */
function readStamp(root) {
  try {
    return fs.statSync(path.join(root, STAMP)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** { stale: false } when dist is current, else { stale: true, reason }. Reads the file system only. */
function staleness(root) {
  const stamp = readStamp(root);
  if (stamp === undefined) return { stale: true, reason: `${STAMP} is missing (no successful build yet)` };
  const { newest, sources } = scanInputs(root);
  const missing = sources.find((file) => !fs.existsSync(path.join(root, "dist", file.replace(/\.ts$/, ".js"))));
  if (missing) return { stale: true, reason: `dist has no output for ${missing}` };
  if (newest.mtimeMs > stamp) return { stale: true, reason: `${newest.file} changed after the last build` };
  return { stale: false };
}

/** Runs tsc -p tsconfig.json in `root` (its output on stderr, none when quiet); keeps the stamp when it succeeds. Returns tsc's exit code. */
function build(root, options = {}) {
  const dist = path.join(root, "dist");
  const stampFile = path.join(root, STAMP);
  fs.mkdirSync(dist, { recursive: true });
  fs.rmSync(stampFile, { force: true });
  // created before tsc reads anything: its mtime is the start of this build
  const pending = `${stampFile}.${process.pid}`;
  fs.writeFileSync(pending, "dist/ was built from the sources as they were at this file's mtime (scripts/build-if-stale.js)\n");
  // an incremental build trusts its .tsbuildinfo even when the outputs are gone: start from scratch then
  if (scanInputs(root).sources.some((file) => !fs.existsSync(path.join(dist, file.replace(/\.ts$/, ".js"))))) {
    fs.rmSync(path.join(root, BUILD_INFO), { force: true });
  }
  const tsc = require.resolve("typescript/bin/tsc", { paths: [root, __dirname] });
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: root, stdio: options.quiet ? "ignore" : ["ignore", 2, 2] });
  const code = result.status ?? 1;
  if (code === 0) fs.renameSync(pending, stampFile); // a rename keeps the mtime
  else fs.rmSync(pending, { force: true });
  return code;
}

/** Builds when stale (or always); returns { built, code }. */
function ensureBuilt(root, options = {}) {
  if (!options.always && !staleness(root).stale) return { built: false, code: 0 };
  return { built: true, code: build(root, options) };
}

module.exports = { staleness, ensureBuilt, build, scanInputs, staticPrefix, STAMP };

if (require.main === module) {
  const root = path.resolve(__dirname, "..");
  const args = process.argv.slice(2);
  if (args.includes("--check")) {
    const state = staleness(root);
    process.stdout.write(state.stale ? `stale: ${state.reason}\n` : "current\n");
    process.exit(state.stale ? 1 : 0);
  }
  process.exit(ensureBuilt(root, { always: args.includes("--always") }).code);
}
