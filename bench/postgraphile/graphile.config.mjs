// PostGraphile v5 (amber preset) over the bench database: the reference the benchmark compares with.
// Started by bench/run.ts with Node 22 (bench/node22); DATABASE_URL, PORT and POOL_SIZE come from the environment.
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { jsonPgSmartTags } from "postgraphile/utils";

// a table named `subscription` collides with GraphQL's Subscription root type
const RenameSubscription = jsonPgSmartTags({ version: 1, config: { class: { subscription: { tags: { name: "customer_subscription" } } } } });

export default {
  extends: [PostGraphileAmberPreset],
  plugins: [RenameSubscription],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public"], poolConfig: { max: Number(process.env.POOL_SIZE ?? 10) } })],
  grafserv: { port: Number(process.env.PORT), host: "127.0.0.1", graphiql: false, watch: false },
  grafast: { explain: false },
};
