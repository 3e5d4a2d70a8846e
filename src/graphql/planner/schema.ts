import { defaultFieldResolver, FieldNode, GraphQLFieldResolver, GraphQLSchema, isObjectType } from "graphql";
import type { RequestContext } from "../../auth/context";
import { MODULES } from "../../modules";
import { PLANNED, PlannedValues } from "./planner";
import type { PlanSpecs } from "./spec";

/** Every module's planned fields, merged (a coordinate belongs to one module). */
export function planSpecs(): Required<PlanSpecs> {
  const merged: Required<PlanSpecs> = { roots: {}, fields: {} };
  for (const module of MODULES) {
    for (const [kind, specs] of [["roots", module.plans?.roots], ["fields", module.plans?.fields]] as const) {
      for (const [coordinate, spec] of Object.entries(specs ?? {})) {
        if (merged[kind][coordinate]) throw new Error(`${coordinate} is planned by two modules`);
        (merged[kind] as Record<string, unknown>)[coordinate] = spec;
      }
    }
  }
  return merged;
}

function fieldOf(schema: GraphQLSchema, coordinate: string) {
  const [typeName, fieldName] = coordinate.split(".") as [string, string];
  const type = schema.getType(typeName);
  const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
  if (!field) throw new Error(`planned coordinate ${coordinate} is not in the schema`);
  return field;
}

/**
 * Puts the read planner in front of the resolvers it covers, on the bare
 * schema (graphql-shield's middleware is applied afterwards, around these):
 * a planned root field asks the request's planner first; a planned nested
 * field returns the value its object brought when the planner fetched it.
 * With the planner off (`ctx.planner` null) both are the plain resolvers.
 */
export function withReadPlanner(schema: GraphQLSchema, specs: Required<PlanSpecs> = planSpecs()): GraphQLSchema {
  for (const [coordinate, spec] of Object.entries(specs.roots)) {
    const field = fieldOf(schema, coordinate);
    const resolve: GraphQLFieldResolver<unknown, RequestContext> = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, ctx, info) =>
      ctx.planner && ctx.viewer ? ctx.planner.resolveRoot(spec, args, ctx, info, () => resolve(source, args, ctx, info)) : resolve(source, args, ctx, info);
  }
  for (const coordinate of Object.keys(specs.fields)) {
    const field = fieldOf(schema, coordinate);
    const resolve: GraphQLFieldResolver<unknown, RequestContext> = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, ctx, info) => {
      const planned = (source as PlannedValues | null)?.[PLANNED];
      const node: FieldNode = info.fieldNodes[0]!;
      if (planned?.has(node)) return planned.get(node);
      return resolve(source, args, ctx, info);
    };
  }
  return schema;
}
