import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BrowserProbe, decideBrowser, ensureBrowser, findChromium, missingMessage, startError } from "../src/cli/ensure-browser";

/** npm test's pretest browser step decides; these cases check the decision only (nothing is installed). */
function probe(overrides: Partial<BrowserProbe> & { present?: string[] }): BrowserProbe {
  const present = new Set(overrides.present ?? []);
  return { env: {}, isRoot: false, hasAptGet: true, isExecutable: (file) => present.has(file), ...overrides };
}

describe("decideBrowser", () => {
  it("uses /usr/bin/chromium when it is there, whoever runs it", () => {
    for (const isRoot of [true, false]) {
      expect(decideBrowser(probe({ isRoot, present: ["/usr/bin/chromium"] }))).toEqual({ kind: "found", path: "/usr/bin/chromium" });
    }
  });

  it("finds another usual binary when /usr/bin/chromium is not there", () => {
    expect(decideBrowser(probe({ present: ["/usr/bin/google-chrome"] }))).toEqual({ kind: "found", path: "/usr/bin/google-chrome" });
  });

  it("prefers CHROMIUM_PATH to every usual place", () => {
    const decision = decideBrowser(probe({ env: { CHROMIUM_PATH: "/opt/chrome/chrome" }, present: ["/opt/chrome/chrome", "/usr/bin/chromium"] }));
    expect(decision).toEqual({ kind: "found", path: "/opt/chrome/chrome" });
  });

  it("absent, as root with apt-get: installs Debian's chromium with a one-line notice", () => {
    const decision = decideBrowser(probe({ isRoot: true, hasAptGet: true }));
    expect(decision.kind).toBe("install");
    if (decision.kind !== "install") return;
    expect(decision.notice).toContain("apt-get install -y chromium");
    expect(decision.notice).not.toContain("\n");
  });

  it("absent, not root: stops with one line telling what to run, and installs nothing", () => {
    const decision = decideBrowser(probe({ isRoot: false, hasAptGet: true }));
    expect(decision).toEqual({
      kind: "missing",
      message: "npm test needs Chromium for the playground tests: run `sudo apt-get install -y chromium` (or set CHROMIUM_PATH to a Chromium or Chrome binary)",
    });
  });

  it("absent, root without apt-get: says to install one and set CHROMIUM_PATH", () => {
    const decision = decideBrowser(probe({ isRoot: true, hasAptGet: false }));
    expect(decision).toEqual({ kind: "missing", message: "npm test needs Chromium for the playground tests: install Chromium or Chrome and set CHROMIUM_PATH to its binary" });
  });

  it("a CHROMIUM_PATH that is not there is reported, not overridden by an install or another binary", () => {
    const decision = decideBrowser(probe({ isRoot: true, env: { CHROMIUM_PATH: "/nope/chrome" }, present: ["/usr/bin/chromium"] }));
    expect(decision.kind).toBe("missing");
    if (decision.kind !== "missing") return;
    expect(decision.message).toContain("CHROMIUM_PATH is /nope/chrome, which is not an executable file");
    expect(decision.message).not.toContain("\n");
  });

  it("findChromium (used by the tests' launcher) agrees with the decision", () => {
    expect(findChromium({}, (file) => file === "/snap/bin/chromium")).toBe("/snap/bin/chromium");
    expect(findChromium({}, () => false)).toBeUndefined();
    expect(missingMessage({ isRoot: false, hasAptGet: false })).toContain("set CHROMIUM_PATH");
  });
});

describe("ensureBrowser: the whole pretest step with the installer and the start check faked", () => {
  function run(start: BrowserProbe, installs: string[] | string) {
    const present = new Set<string>();
    const lines: string[] = [];
    let installCalls = 0;
    const code = ensureBrowser(
      { ...start, isExecutable: (file) => present.has(file) || start.isExecutable(file) },
      {
        install: () => {
          installCalls += 1;
          if (typeof installs === "string") return installs;
          installs.forEach((file) => present.add(file));
          return undefined;
        },
        startError: () => undefined,
        say: (line) => lines.push(line),
      },
    );
    return { code, lines, installCalls };
  }

  it("present: silent, exit 0, no install", () => {
    expect(run(probe({ isRoot: true, present: ["/usr/bin/chromium"] }), [])).toEqual({ code: 0, lines: [], installCalls: 0 });
  });

  it("absent + root + apt-get: one notice, one install, then the installed binary is used", () => {
    const result = run(probe({ isRoot: true }), ["/usr/bin/chromium"]);
    expect(result.code).toBe(0);
    expect(result.installCalls).toBe(1);
    expect(result.lines).toEqual([expect.stringContaining("installing Debian's chromium")]);
  });

  it("absent + root + apt-get, install fails: the notice and one line saying why, exit 1", () => {
    const result = run(probe({ isRoot: true }), "apt-get install -y chromium failed: E: Unable to locate package chromium");
    expect(result.code).toBe(1);
    expect(result.lines).toHaveLength(2);
    expect(result.lines[1]).toBe(
      "npm test needs Chromium for the playground tests: apt-get install -y chromium failed: E: Unable to locate package chromium (install it yourself, or set CHROMIUM_PATH)",
    );
  });

  it("absent + root + apt-get, install runs but leaves no binary: one line saying so, exit 1", () => {
    const result = run(probe({ isRoot: true }), []);
    expect(result.code).toBe(1);
    expect(result.installCalls).toBe(1);
    expect(result.lines).toHaveLength(2);
    expect(result.lines[1]).toMatch(/^npm test needs Chromium for the playground tests: `apt-get install -y chromium` ran, yet there is no Chromium in \/usr\/bin\/chromium, .*: set CHROMIUM_PATH to one$/);
  });

  it("absent + not root: exactly one line, exit 1, no install attempted", () => {
    const result = run(probe({ isRoot: false }), ["/usr/bin/chromium"]);
    expect(result).toEqual({
      code: 1,
      installCalls: 0,
      lines: ["npm test needs Chromium for the playground tests: run `sudo apt-get install -y chromium` (or set CHROMIUM_PATH to a Chromium or Chrome binary)"],
    });
  });

  it("a binary that does not start is reported in one line (real check on a fake binary)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pag-fake-chromium-"));
    try {
      const fake = path.join(dir, "chromium");
      fs.writeFileSync(fake, "#!/bin/sh\necho 'chromium: error while loading shared libraries: libnss3.so' >&2\nexit 127\n", { mode: 0o755 });
      expect(startError(fake)).toBe("chromium: error while loading shared libraries: libnss3.so");
      const lines: string[] = [];
      const code = ensureBrowser(probe({ env: { CHROMIUM_PATH: fake }, present: [fake] }), { install: () => "not called", startError, say: (line) => lines.push(line) });
      expect(code).toBe(1);
      expect(lines).toEqual([`npm test needs Chromium for the playground tests: ${fake} does not start (\`${fake} --version\`: chromium: error while loading shared libraries: libnss3.so); reinstall it or set CHROMIUM_PATH`]);
      fs.writeFileSync(fake, "#!/bin/sh\necho 'Chromium 1.0'\n", { mode: 0o755 });
      expect(startError(fake)).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
