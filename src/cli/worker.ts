import "reflect-metadata";
import { loadConfig } from "../config";
import { openDatabase } from "../db/database";
import { DeliveryWorker } from "../modules/webhooks/delivery-worker";
import { loggerFor } from "../server/logger";
import { openSharedState } from "../server/shared-state";
import { createServices } from "../services";

/**
 * The webhook delivery worker on its own (`npm run worker`), beside or instead
 * of the one inside each server (WEBHOOK_WORKER=off there). Any number may
 * run against one database: they share the work without sending one delivery twice at once.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = loggerFor(config);
  if (!config.databaseUrl) log.warn("DATABASE_URL is not set: the worker opens the embedded PostgreSQL of this checkout (stop `npm start` first, whose own worker delivers anyway)");
  const database = await openDatabase(config, log);
  const shared = await openSharedState(config, log);
  const services = createServices({ dataSource: database.dataSource, config, caches: shared.caches });
  const worker = new DeliveryWorker(database.dataSource, services.webhooks, { config: config.webhooks, listenUrl: database.url, log, sweeps: [() => services.relationships.recordExpiredRequests()] });
  await worker.start();
  log.info({ concurrency: config.webhooks.concurrency, pollMs: config.webhooks.pollMs }, "webhook worker running");
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "webhook worker stopping: deliveries in flight finish first");
    try {
      await worker.stop();
      await shared.close();
      await database.close();
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, "unclean worker shutdown");
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
