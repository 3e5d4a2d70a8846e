import { loadConfig } from "./config";
import { bootstrap } from "./bootstrap";
import { invitationSecretOf } from "./modules/relationships/invitation-token";
import { seedDemoData } from "./db/seed/demo-data";
import { createLogger } from "./server/logger";

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const running = await bootstrap(config, log);
  const seeded = await seedDemoData(running.database.dataSource, invitationSecretOf(config));
  if (seeded) log.info({ customers: seeded.customers, partners: seeded.partners }, "demo data loaded into the empty database");
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    try {
      await running.stop();
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, "unclean shutdown");
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  await running.app.listen(config.port, config.host);
  const base = `http://${config.host}:${config.port}`;
  log.info({ graphql: `${base}/graphql`, playground: `${base}/playground` }, "server listening");
  process.stdout.write(
    [
      "",
      `  GraphQL:     ${base}/graphql`,
      `  Playground:  ${base}/playground  (or open ${base}/graphql in a browser)`,
      `  Get a token: npm run --silent token -- --partner 1000001 --role GLOBAL_ADMIN`,
      "",
    ].join("\n") + "\n",
  );

}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
