import "reflect-metadata";
import { GraphQLFieldConfig, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, isObjectType, lexicographicSortSchema, printSchema } from "graphql";
import { buildSchema, NonEmptyArray } from "type-graphql";
import type { RequestContext } from "../auth/context";
import { rootChecksOnly, withPermissions } from "../auth/shield";
import { MODULES } from "../modules";
import { SUBSCRIPTION_ROOT } from "../modules/module";
import { withDirectFieldResolvers } from "./direct-resolvers";
import { NodeResolver } from "./node.resolver";
import { withReadPlanner } from "./planner/schema";
import { prepareForJit } from "./relay";

/** The node lookups, then every module's resolvers. */
export const resolvers = [NodeResolver, ...MODULES.flatMap((m) => m.resolvers ?? [])] as unknown as NonEmptyArray<Function>;

/** The modules' subscription fields (ModuleManifest.subscriptions) as the root subscription type. */
function withSubscriptionRoot(schema: GraphQLSchema): GraphQLSchema {
  const fields = MODULES.flatMap((m) => Object.entries(m.subscriptions?.fields ?? {}));
  if (fields.length === 0) return schema;
  const subscription = new GraphQLObjectType<unknown, RequestContext>({
    name: SUBSCRIPTION_ROOT,
    description: "Events pushed over WebSocket (graphql-ws) on /graphql.",
    fields: Object.fromEntries(
      fields.map(([name, field]) => {
        const type = schema.getType(field.type);
        if (!isObjectType(type)) throw new Error(`${SUBSCRIPTION_ROOT}.${name}: ${field.type} is not an object type of the schema`);
        const config: GraphQLFieldConfig<unknown, RequestContext, Record<string, unknown>> = {
          type: new GraphQLNonNull(type),
          description: field.description,
          args: field.args,
          subscribe: (_root, args, ctx) => field.subscribe(ctx, args),
          resolve: (event) => field.resolve(event),
        };
        return [name, config];
      }),
    ),
  });
  return new GraphQLSchema({ ...schema.toConfig(), subscription });
}

/** The schema as type-graphql builds it from the classes (its field resolvers called directly), with the subscription root (no permissions). */
export async function buildBareSchema(): Promise<GraphQLSchema> {
  const orphanedTypes = MODULES.flatMap((m) => m.subscriptions?.types ?? []);
  const built = await buildSchema({ resolvers, orphanedTypes, validate: false, emitSchemaFile: false });
  withDirectFieldResolvers(built);
  return withSubscriptionRoot(built);
}

/**
 * The served schema: the bare schema with the read planner in front of the fields it covers, then the permission
 * table applied through graphql-shield (around those), then what compiled execution needs (src/server/jit.ts).
 */
export async function buildApiSchema(options: { shield?: boolean } = {}): Promise<GraphQLSchema> {
  const bare = withReadPlanner(await buildBareSchema());
  const schema = options.shield === false ? bare : withPermissions(bare);
  for (const served of [schema, rootChecksOnly(schema)]) if (served) prepareForJit(served);
  return schema;
}

/** What `schema.graphql` holds: sorted, so diffs show real changes only. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + "\n";
}
