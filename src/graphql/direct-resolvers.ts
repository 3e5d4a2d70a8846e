import { GraphQLFieldResolver, GraphQLSchema, isObjectType } from "graphql";
import { getMetadataStorage } from "type-graphql";

type FieldResolverMetadata = ReturnType<typeof getMetadataStorage>["fieldResolvers"][number];
type ParamMetadata = NonNullable<FieldResolverMetadata["params"]>[number];
type Resolve = GraphQLFieldResolver<unknown, unknown>;

/** Whether a getter (not a method) defines `name` on the class or one it extends. */
function isGetter(target: Function, name: string): boolean {
  for (let proto = target.prototype as object | null; proto; proto = Object.getPrototypeOf(proto) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return typeof descriptor.get === "function";
  }
  return false;
}

/**
 * The call type-graphql's resolver makes, without its per-call work, for a parent of the field's class. type-graphql
 * wraps every field resolver in a closure that, on each call, builds its resolver data, asks the container for the
 * resolver instance, sorts and maps the parameters (a new array each time), converts the parent to the class and runs
 * the (empty) middleware chain: measured on workload (a), its sort alone allocated 6% of the server's memory. The
 * direct call is used only when nothing of that can change the answer: no arguments (only the parent, then maybe
 * the context), no middleware or roles, and a parent that is an instance of the class already (entities, planned
 * rows); any other parent goes through type-graphql.
 */
function directResolver(metadata: FieldResolverMetadata, original: Resolve): Resolve | null {
  if (metadata.middlewares?.length || metadata.roles?.length) return null;
  const params = [...(metadata.params ?? [])].sort((a, b) => a.index - b.index);
  if (metadata.kind === "internal") {
    const owner = metadata.target;
    if (params.length > 0 || !isGetter(owner, metadata.methodName)) return null;
    const name = metadata.methodName;
    return (root, args, ctx, info) => (root instanceof owner ? (root as Record<string, unknown>)[name] : original(root, args, ctx, info));
  }
  // the shapes of this schema's field resolvers: (parent) and (parent, context), the parent without a property path
  const kinds = params.map((p) => (p.kind === "root" && p.propertyName === undefined ? "root" : p.kind === "context" && p.propertyName === undefined ? "context" : "other")).join(",");
  if (kinds !== "root" && kinds !== "root,context") return null;
  const rootType = (params[0] as Extract<ParamMetadata, { kind: "root" }>).getType?.();
  if (rootType !== undefined && typeof rootType !== "function") return null;
  const Resolver = metadata.target as new () => Record<string, (...args: unknown[]) => unknown>;
  const instance = new Resolver();
  const method = instance[metadata.methodName];
  if (typeof method !== "function") return null;
  const call: Resolve = kinds === "root" ? (root) => method.call(instance, root) : (root, _args, ctx) => method.call(instance, root, ctx);
  if (!rootType) return call;
  return (root, args, ctx, info) => (root instanceof (rootType as Function) ? call(root, args, ctx, info) : original(root, args, ctx, info));
}

/**
 * The schema with type-graphql's field resolvers called directly where that answers the same (`directResolver`).
 * Fields are found as type-graphql's schema generator finds them: an object type's own and its interfaces' fields,
 * each with the field resolver declared for it. Returns the coordinates replaced.
 */
export function withDirectFieldResolvers(schema: GraphQLSchema): string[] {
  const storage = getMetadataStorage();
  const replaced: string[] = [];
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    const interfaces = storage.interfaceTypes.filter((it) => objectType.interfaceClasses?.includes(it.target));
    const fields = [...interfaces.flatMap((it) => it.fields ?? []), ...(objectType.fields ?? [])];
    const schemaFields = type.getFields();
    for (const field of fields) {
      const schemaField = schemaFields[field.schemaName];
      if (!schemaField?.resolve || field.middlewares?.length || field.roles?.length) continue;
      const metadata = storage.fieldResolvers.find((it) => it.getObjectType?.() === field.target && it.methodName === field.name);
      if (!metadata) continue;
      const direct = directResolver(metadata, schemaField.resolve);
      if (!direct) continue;
      schemaField.resolve = direct;
      replaced.push(`${type.name}.${field.schemaName}`);
    }
  }
  return replaced;
}
