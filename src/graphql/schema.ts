import "reflect-metadata";
import { GraphQLSchema, lexicographicSortSchema, printSchema } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { buildSchema, NonEmptyArray } from "type-graphql";
import { permissionsMiddleware } from "../auth/shield";
import { MODULES } from "../modules";
import { NodeResolver } from "./node.resolver";
import { withReadPlanner } from "./planner/schema";
import { prepareForJit } from "./relay";

/** The node lookups, then every module's resolvers. */
export const resolvers = [NodeResolver, ...MODULES.flatMap((m) => m.resolvers ?? [])] as unknown as NonEmptyArray<Function>;

/** The schema as type-graphql builds it from the classes (no permissions). */
export function buildBareSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, validate: false, emitSchemaFile: false });
}

/**
 * The served schema: the bare schema with the read planner in front of the fields it covers, then the permission
 * table applied through graphql-shield (around those), then what compiled execution needs (src/server/jit.ts).
 */
export async function buildApiSchema(options: { shield?: boolean } = {}): Promise<GraphQLSchema> {
  const bare = withReadPlanner(await buildBareSchema());
  const schema = options.shield === false ? bare : applyMiddleware(bare, permissionsMiddleware(bare));
  prepareForJit(schema);
  return schema;
}

/** What `schema.graphql` holds: sorted, so diffs show real changes only. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + "\n";
}
