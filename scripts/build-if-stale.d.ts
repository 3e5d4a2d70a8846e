/** Types of scripts/build-if-stale.js (plain JavaScript: it runs before anything is compiled). */
export type Staleness = { stale: false } | { stale: true; reason: string };
/** Whether `root`'s dist/ must be rebuilt; reads the file system only. */
export function staleness(root: string): Staleness;
/** Builds `root` with tsc -p tsconfig.json when stale (or always); writes dist/.build-stamp on success. */
export function ensureBuilt(root: string, options?: { always?: boolean; quiet?: boolean }): { built: boolean; code: number };
/** Always builds; returns tsc's exit code (quiet: tsc's messages are dropped). */
export function build(root: string, options?: { quiet?: boolean }): number;
export function scanInputs(root: string): { newest: { mtimeMs: number; file: string }; sources: string[] };
export function staticPrefix(pattern: string): string;
export const STAMP: string;
