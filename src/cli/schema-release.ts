import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../config";
import { buildBareSchema, printSortedSchema } from "../graphql/schema";
import { compareSdl, CURRENT_SCHEMA, gateNotes, RELEASE_SNAPSHOT } from "./schema-gate";

/**
 * `npm run schema:release`: makes schema.graphql the last release's schema (schema.release.graphql), the one
 * test/schema-gate.test.ts compares with. Run it when a release ships, or to accept a breaking change on purpose;
 * it lists what it accepts. schema.graphql must be what the code builds (else: npm run schema:emit first).
 */
async function main(): Promise<void> {
  const root = projectRoot();
  const currentFile = path.join(root, CURRENT_SCHEMA);
  const releaseFile = path.join(root, RELEASE_SNAPSHOT);
  const current = fs.readFileSync(currentFile, "utf8");
  if (printSortedSchema(await buildBareSchema()) !== current) {
    process.stderr.write(`${CURRENT_SCHEMA} is not the schema the code builds: run \`npm run schema:emit\` first, then \`npm run schema:release\`\n`);
    process.exit(1);
  }
  const previous = fs.existsSync(releaseFile) ? fs.readFileSync(releaseFile, "utf8") : undefined;
  if (previous === current) {
    process.stdout.write(`${RELEASE_SNAPSHOT} is already ${CURRENT_SCHEMA}: nothing to do\n`);
    return;
  }
  if (previous !== undefined) {
    const result = compareSdl(previous, current);
    const lines = [
      ...(result.breaking.length > 0 ? ["breaking changes accepted on purpose (clients of the previous release break):", ...result.breaking.map((c) => `  - ${c.type}: ${c.description}`)] : []),
      ...gateNotes(result),
    ];
    if (lines.length > 0) process.stdout.write(lines.join("\n") + "\n");
  }
  fs.writeFileSync(releaseFile, current);
  process.stdout.write(`wrote ${releaseFile} from ${CURRENT_SCHEMA}: commit it\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
