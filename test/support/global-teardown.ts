import fs from "node:fs";
import type { EmbeddedDatabase } from "../../src/db/embedded";

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__testCluster as { cluster: EmbeddedDatabase; dir: string } | undefined;
  if (!state) return;
  await state.cluster.stop();
  fs.rmSync(state.dir, { recursive: true, force: true });
  fs.rmSync(`${state.dir}.owner`, { force: true });
}
