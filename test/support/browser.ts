import { Browser, chromium } from "playwright-core";
import { findChromium, isExecutable, missingMessage, systemProbe } from "../../src/cli/ensure-browser";

/**
 * The Chromium of the browser tests: the binary `npm test`'s pretest step (src/cli/ensure-browser.ts) found or
 * installed — CHROMIUM_PATH, else /usr/bin/chromium or another usual place. Run without it (`npx jest …`) on a
 * machine without one, this fails with the same one line instead of playwright's launch errors.
 */
export function chromiumPath(): string {
  const found = findChromium(process.env, isExecutable);
  if (!found || !isExecutable(found)) throw new Error(missingMessage(systemProbe()));
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}
