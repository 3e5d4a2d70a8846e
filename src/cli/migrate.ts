import { loadConfig } from "../config";
import { openDatabase } from "../db/database";
import { createLogger } from "../server/logger";

/** Applies pending migrations (openDatabase does) and exits. */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config, createLogger(config.logLevel));
  process.stdout.write("migrations are up to date\n");
  await database.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
