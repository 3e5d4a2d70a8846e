import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../config";
import { buildBareSchema, printSortedSchema } from "../graphql/schema";

/** Writes schema.graphql from the type-graphql classes (a test fails when the committed file differs). */
async function main(): Promise<void> {
  const file = path.join(projectRoot(), "schema.graphql");
  fs.writeFileSync(file, printSortedSchema(await buildBareSchema()));
  process.stdout.write(`wrote ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
