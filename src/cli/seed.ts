import { loadConfig } from "../config";
import { openDatabase } from "../db/database";
import { invitationSecretOf } from "../modules/relationships/invitation-token";
import { seedDemoData } from "../db/seed/demo-data";
import { loggerFor } from "../server/logger";

/** Loads the demo data set into an empty database. */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config, loggerFor(config));
  try {
    const summary = await seedDemoData(database.dataSource, invitationSecretOf(config));
    process.stdout.write(summary ? `demo data loaded: ${summary.partners} partners, ${summary.users} users, ${summary.customers} customers\n` : "the database holds data already; nothing loaded\n");
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
