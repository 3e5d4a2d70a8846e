import "reflect-metadata";
import { GraphQLSchema, lexicographicSortSchema, printSchema } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { buildSchema } from "type-graphql";
import { permissionsMiddleware } from "../auth/shield";
import { AuditRecordResolver } from "../modules/audit/audit.resolver";
import { CustomerResolver } from "../modules/customers/customer.resolver";
import { ViewerResolver } from "../modules/partners/partner.resolver";
import { PurchasePermissionResolver } from "../modules/purchase-permissions/purchase-permission.resolver";
import { IndirectRelationshipResolver } from "../modules/relationships/indirect-relationship.resolver";
import { RelationshipResolver } from "../modules/relationships/relationship.resolver";
import { SubscriptionResolver } from "../modules/subscriptions/subscription.resolver";
import { NodeResolver } from "./node.resolver";

export const resolvers = [
  NodeResolver,
  ViewerResolver,
  CustomerResolver,
  SubscriptionResolver,
  AuditRecordResolver,
  PurchasePermissionResolver,
  RelationshipResolver,
  IndirectRelationshipResolver,
] as const;

/** The schema as type-graphql builds it from the classes (no permissions). */
export function buildBareSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, validate: false, emitSchemaFile: false });
}

/** The served schema: the bare schema with the permission table applied through graphql-shield. */
export async function buildApiSchema(options: { shield?: boolean } = {}): Promise<GraphQLSchema> {
  const schema = await buildBareSchema();
  return options.shield === false ? schema : applyMiddleware(schema, permissionsMiddleware(schema));
}

/** What `schema.graphql` holds: sorted, so diffs show real changes only. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + "\n";
}
