import { loadConfig } from "../config";
import { openDatabase } from "../db/database";
import { loggerFor } from "../server/logger";

/** Applies pending migrations (openDatabase does) and exits. */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config, loggerFor(config));
  process.stdout.write("migrations are up to date\n");
  await database.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
