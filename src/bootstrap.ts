import "reflect-metadata";
import type { Config } from "./config";
import { Database, openDatabase } from "./db/database";
import { buildApiSchema } from "./graphql/schema";
import { createTokenService } from "./auth/tokens";
import { App, createApp } from "./server/app";
import type { AppLogger } from "./server/logger";
import { openSharedState, SharedState } from "./server/shared-state";
import { DeliveryWorker } from "./modules/webhooks/delivery-worker";
import { createServices } from "./services";

export interface Running {
  database: Database;
  app: App;
  /** The in-process webhook delivery worker (null with WEBHOOK_WORKER=off). */
  worker: DeliveryWorker | null;
  stop(): Promise<void>;
}

/** Database (embedded or URL), migrations, schema with permissions, HTTP app: everything but listening. */
export async function bootstrap(config: Config, log: AppLogger): Promise<Running> {
  const tokens = await createTokenService(config); // first: production refuses to start without a key
  const database = await openDatabase(config, log);
  let shared: SharedState | null = null;
  try {
    shared = await openSharedState(config, log);
    const schema = await buildApiSchema({ shield: !config.disableShield });
    const services = createServices({ dataSource: database.dataSource, config, caches: shared.caches });
    const app = await createApp({ config, schema, dataSource: database.dataSource, services, tokens, log, shared });
    const worker = config.webhooks.worker ? new DeliveryWorker(database.dataSource, services.webhooks, { config: config.webhooks, listenUrl: database.url, log, sweeps: [() => services.relationships.recordExpiredRequests()] }) : null;
    await worker?.start();
    return {
      database,
      app,
      worker,
      async stop() {
        // the database closes even when the app's stop failed: an embedded PostgreSQL must not outlive us
        let appFailure: unknown = null;
        try {
          // first: deliveries in flight finish (each within the request timeout) while the pool is still open
          await worker?.stop();
          await app.stop();
        } catch (error) {
          appFailure = error;
          log.error({ err: error }, "stopping the HTTP server or Apollo failed");
        }
        await database.close();
        if (appFailure) throw appFailure;
      },
    };
  } catch (error) {
    await shared?.close();
    await database.close();
    throw error;
  }
}
