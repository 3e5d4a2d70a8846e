import "reflect-metadata";
import type { Config } from "./config";
import { Database, openDatabase } from "./db/database";
import { buildApiSchema } from "./graphql/schema";
import { createTokenService } from "./auth/tokens";
import { App, createApp } from "./server/app";
import type { AppLogger } from "./server/logger";
import { createServices } from "./services";

export interface Running {
  database: Database;
  app: App;
  stop(): Promise<void>;
}

/** Database (embedded or URL), migrations, schema with permissions, HTTP app: everything but listening. */
export async function bootstrap(config: Config, log: AppLogger): Promise<Running> {
  const tokens = await createTokenService(config); // first: production refuses to start without a key
  const database = await openDatabase(config, log);
  try {
    const schema = await buildApiSchema({ shield: !config.disableShield });
    const app = await createApp({ config, schema, dataSource: database.dataSource, services: createServices(database.dataSource, config), tokens, log });
    return {
      database,
      app,
      async stop() {
        await app.stop();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
