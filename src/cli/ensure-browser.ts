import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * `npm test`'s pretest step: makes sure a Chromium for the browser tests (test/playground.test.ts) is there before
 * jest runs. Found (CHROMIUM_PATH, else the usual places): nothing to do. Missing, as root with apt-get: installs
 * Debian's `chromium` with a one-line notice. Otherwise it stops with one line saying what to run, instead of a page
 * of browser launch errors from jest. The tests find the browser with the same `findChromium`
 * (test/support/browser.ts), so both agree on which binary runs.
 */

/** Where a Chromium (or Chrome) usually is, in order; CHROMIUM_PATH comes before all of them. */
export const CHROMIUM_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/snap/bin/chromium",
  "/usr/bin/google-chrome-stable",
  "/usr/bin/google-chrome",
];

export const INSTALL_COMMAND = ["apt-get", "install", "-y", "chromium"];

export type BrowserDecision =
  /** a browser is there: the tests use `path` */
  | { kind: "found"; path: string }
  /** none, but we may install Debian's: print `notice`, run INSTALL_COMMAND, look again */
  | { kind: "install"; notice: string }
  /** none and we may not install it: print `message` (one line) and stop */
  | { kind: "missing"; message: string };

export interface BrowserProbe {
  env: NodeJS.ProcessEnv;
  isExecutable(file: string): boolean;
  isRoot: boolean;
  hasAptGet: boolean;
}

const NEEDS = "npm test needs Chromium for the playground tests";

/** The browser to use: CHROMIUM_PATH when set (even when it is not there: that is the caller's choice), else the first candidate there. */
export function findChromium(env: NodeJS.ProcessEnv, isExecutable: (file: string) => boolean): string | undefined {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  return CHROMIUM_CANDIDATES.find((file) => isExecutable(file));
}

/** The one line printed when there is no browser and we may not install one. */
export function missingMessage(probe: Pick<BrowserProbe, "isRoot" | "hasAptGet">): string {
  if (probe.hasAptGet) return `${NEEDS}: run \`${probe.isRoot ? "" : "sudo "}apt-get install -y chromium\` (or set CHROMIUM_PATH to a Chromium or Chrome binary)`;
  return `${NEEDS}: install Chromium or Chrome and set CHROMIUM_PATH to its binary`;
}

/** What the pretest step does; decides only, installs nothing. */
export function decideBrowser(probe: BrowserProbe): BrowserDecision {
  const found = findChromium(probe.env, probe.isExecutable);
  if (found && probe.isExecutable(found)) return { kind: "found", path: found };
  if (probe.env.CHROMIUM_PATH) {
    return { kind: "missing", message: `${NEEDS}: CHROMIUM_PATH is ${probe.env.CHROMIUM_PATH}, which is not an executable file (fix it, or unset it to use /usr/bin/chromium or have it installed)` };
  }
  if (probe.isRoot && probe.hasAptGet) {
    return { kind: "install", notice: `Chromium not found: installing Debian's chromium for the playground tests (${INSTALL_COMMAND.join(" ")}) ...` };
  }
  return { kind: "missing", message: missingMessage(probe) };
}

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, command)));
}

export function systemProbe(): BrowserProbe {
  return { env: process.env, isExecutable, isRoot: process.getuid?.() === 0, hasAptGet: onPath("apt-get") };
}

/** The last line a failed command wrote, to say why in one line. */
function lastLine(output: string | Buffer | null | undefined): string {
  const lines = String(output ?? "").split("\n").map((line) => line.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? "no output";
}

function aptGet(args: string[]) {
  return spawnSync("apt-get", ["-qq", ...args], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
}

/** Installs Debian's chromium; an empty package list (a fresh machine) gets an `apt-get update` first. Returns an error line or undefined. */
function installChromium(): string | undefined {
  let result = aptGet(INSTALL_COMMAND.slice(1));
  if (result.status !== 0) {
    aptGet(["update"]);
    result = aptGet(INSTALL_COMMAND.slice(1));
  }
  return result.status === 0 ? undefined : `${INSTALL_COMMAND.join(" ")} failed: ${lastLine(result.stderr)}`;
}

/** A binary that is there but does not start (missing libraries) is as good as none: the reason, or undefined. */
export function startError(file: string): string | undefined {
  const result = spawnSync(file, ["--version"], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", timeout: 30000 });
  if (result.status === 0) return undefined;
  return result.error ? result.error.message : lastLine(result.stderr);
}

export interface PretestActions {
  install(): string | undefined;
  startError(file: string): string | undefined;
  say(line: string): void;
}

/** The whole step: decide, maybe install and look again, check the binary starts. Returns the exit code. */
export function ensureBrowser(probe: BrowserProbe, actions: PretestActions): number {
  let decision = decideBrowser(probe);
  if (decision.kind === "install") {
    actions.say(decision.notice);
    const failure = actions.install();
    if (failure) {
      actions.say(`${NEEDS}: ${failure} (install it yourself, or set CHROMIUM_PATH)`);
      return 1;
    }
    decision = decideBrowser(probe);
    if (decision.kind !== "found") {
      actions.say(`${NEEDS}: \`${INSTALL_COMMAND.join(" ")}\` ran, yet there is no Chromium in ${CHROMIUM_CANDIDATES.join(", ")}: set CHROMIUM_PATH to one`);
      return 1;
    }
  }
  if (decision.kind !== "found") {
    actions.say(decision.message);
    return 1;
  }
  const error = actions.startError(decision.path);
  if (error) {
    actions.say(`${NEEDS}: ${decision.path} does not start (\`${decision.path} --version\`: ${error}); reinstall it or set CHROMIUM_PATH`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = ensureBrowser(systemProbe(), { install: installChromium, startError, say: (line) => process.stderr.write(`${line}\n`) });
}
