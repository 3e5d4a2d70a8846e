import { defaultFieldResolver, DocumentNode, GraphQLFieldResolver, GraphQLSchema, isAbstractType, isIntrospectionType, isObjectType, TypeInfo, visit, visitWithTypeInfo } from "graphql";
import { allow, rule, shield } from "graphql-shield";
import type { IRules } from "graphql-shield";
import { applyMiddleware } from "graphql-middleware";
import type { IMiddlewareFieldMap } from "graphql-middleware";
import { forbidden } from "../graphql/errors";
import type { RequestContext } from "./context";
import { FIELD_RULES } from "./field-rules";
import { AUTHENTICATED, Capability, FieldRule, hasCapability, PUBLIC } from "./permissions";
import type { PartnerRole } from "./roles";

const isAuthenticated = rule("authenticated", { cache: "contextual" })((_parent, _args, ctx: RequestContext) =>
  ctx.viewer ? true : forbidden("Sign in to use this field."),
);

type ShieldRule = ReturnType<ReturnType<typeof rule>>;

/** The query, mutation and subscription roots: their fields are denied unless the table names them. */
function rootTypeNames(schema: GraphQLSchema): Set<string | undefined> {
  return new Set([schema.getQueryType()?.name, schema.getMutationType()?.name, schema.getSubscriptionType()?.name]);
}

const capabilityRules = new Map<Capability, ShieldRule>();

/** One named rule per capability, cached per request (its answer depends only on the caller). */
function capabilityRule(capability: Capability): ShieldRule {
  let r = capabilityRules.get(capability);
  if (!r) {
    r = rule(`can:${capability}`, { cache: "contextual" })((_parent, _args, ctx: RequestContext) =>
      ctx.viewer && hasCapability(ctx.viewer.roles, capability) ? true : forbidden(`Your roles do not include one that may ${capability.replace(/([A-Z])/g, " $1").toLowerCase()}.`),
    );
    capabilityRules.set(capability, r);
  }
  return r;
}

function toShieldRule(fieldRule: FieldRule) {
  if (fieldRule === PUBLIC) return allow;
  if (fieldRule === AUTHENTICATED) return isAuthenticated;
  return capabilityRule(fieldRule);
}

/**
 * graphql-shield rules generated from the permission table: root fields
 * not in the table are denied (fallbackRule), object fields are open to
 * whoever reached their parent unless the table guards them.
 */
export function permissionRules(schema: GraphQLSchema): IRules {
  const tree: Record<string, Record<string, unknown>> = {};
  const roots = rootTypeNames(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type) || roots.has(type.name)) continue;
    tree[type.name] = { "*": allow };
  }
  for (const [typeName, fields] of Object.entries(FIELD_RULES)) {
    tree[typeName] ??= {};
    for (const [fieldName, fieldRule] of Object.entries(fields)) tree[typeName][fieldName] = toShieldRule(fieldRule);
  }
  return tree as IRules;
}

/** What shield generates for a field without fragments: it runs `resolve` once the rule allows. */
type FieldCheck = (resolve: GraphQLFieldResolver<unknown, unknown>, ...rest: Parameters<GraphQLFieldResolver<unknown, unknown>>) => Promise<unknown>;

/** Per operation's context: the field rules graphql-shield has allowed in it. */
const allowedInOperation = new WeakMap<object, Set<FieldRule>>();

/**
 * Shield's check of a guarded object field, answered without its async hop once shield has allowed the same rule in
 * this operation. Every rule of the table is cached "contextual" by shield already (its answer depends on the
 * caller only), so the answer is shield's own: the first field of a rule in an operation, and every denial, go
 * through shield; a page of 50 customers then resolves its other 49 billing profiles synchronously (measured:
 * shield's promises were 10% of workload (a)'s throughput once the rest had got cheaper).
 */
function rememberingAllowed(check: FieldCheck, fieldRule: FieldRule): FieldCheck {
  const remembered = (resolve: GraphQLFieldResolver<unknown, unknown>, parent: unknown, args: Record<string, unknown>, ctx: unknown, info: Parameters<GraphQLFieldResolver<unknown, unknown>>[3]) => {
    if (ctx && typeof ctx === "object" && allowedInOperation.get(ctx)?.has(fieldRule)) return resolve(parent, args, ctx, info);
    const allowing: GraphQLFieldResolver<unknown, unknown> = (p, a, c, i) => {
      if (c && typeof c === "object") {
        let allowed = allowedInOperation.get(c);
        if (!allowed) allowedInOperation.set(c, (allowed = new Set()));
        allowed.add(fieldRule);
      }
      return resolve(p, a, c, i);
    };
    return check(allowing, parent, args, ctx, info);
  };
  return remembered as FieldCheck;
}

/**
 * graphql-shield's middleware for the coordinates that need a check: every
 * root field (deny by default) and every field the table guards. Fields whose
 * rule is `allow` get no middleware at all, so leaf fields resolve without an
 * extra async hop (graphql-shield would otherwise wrap every field of the schema).
 */
export function permissionsMiddleware(schema: GraphQLSchema): IMiddlewareFieldMap {
  const generator = shield(permissionRules(schema), {
    fallbackRule: rule("deny-by-default")(() => forbidden()),
    allowExternalErrors: true,
    fallbackError: () => forbidden(),
  });
  const all = generator.generate(schema) as Record<string, Record<string, unknown>>;
  const roots = rootTypeNames(schema);
  const guarded: Record<string, Record<string, unknown>> = {};
  for (const [typeName, fields] of Object.entries(all)) {
    for (const [fieldName, middleware] of Object.entries(fields)) {
      const fieldRule = FIELD_RULES[typeName]?.[fieldName];
      if (roots.has(typeName)) (guarded[typeName] ??= {})[fieldName] = middleware;
      else if (fieldRule) (guarded[typeName] ??= {})[fieldName] = typeof middleware === "function" ? rememberingAllowed(middleware as FieldCheck, fieldRule) : middleware;
      // else an `allow` field: nothing to check
    }
  }
  return guarded as IMiddlewareFieldMap;
}

/** Per schema `withPermissions` made: the same schema with the root fields' checks only (`rootChecksOnly`). */
const rootChecksOnlyVariants = new WeakMap<GraphQLSchema, GraphQLSchema>();

/**
 * The schema with the permission table applied. graphql-middleware wraps a
 * field's `resolve` when it has one, and every subscription field has one
 * (run for each event, src/graphql/schema.ts): a subscription field's rule
 * is put around its `subscribe` as well, so a caller without the capability
 * is refused when it subscribes, and each event is checked again.
 * Also made, for compiled execution: the variant without object fields' checks (`rootChecksOnly`).
 */
export function withPermissions(schema: GraphQLSchema): GraphQLSchema {
  const middleware = permissionsMiddleware(schema) as Record<string, Record<string, unknown>>;
  const guarded = applyPermissions(schema, middleware, { objectFields: true });
  rootChecksOnlyVariants.set(guarded, applyPermissions(schema, middleware, { objectFields: false }));
  return guarded;
}

/**
 * The variant of a schema from `withPermissions` whose object fields carry no check (root and subscription fields
 * keep theirs): what a document runs on when `objectRulesAllow` says the caller's roles pass every object-field rule
 * it can reach. Every rule of the table depends on the caller's roles alone (cached "contextual" by shield), so the
 * answer is the same as through the checks; without them a guarded field is a plain property read for graphql-jit
 * (measured: the checks cost workload (a) 11–20% of its throughput, for a Global admin who passes all of them).
 */
export function rootChecksOnly(schema: GraphQLSchema): GraphQLSchema | undefined {
  return rootChecksOnlyVariants.get(schema);
}

/**
 * The rules of every guarded object field a document can select, in any of its operations and fragments (more than
 * one operation needs, never less); a field selected on an interface counts with the rule of each implementation.
 */
export function objectFieldRules(schema: GraphQLSchema, document: DocumentNode): ReadonlySet<FieldRule> {
  const rules = new Set<FieldRule>();
  const roots = rootTypeNames(schema);
  const typeInfo = new TypeInfo(schema);
  const add = (typeName: string, fieldName: string) => {
    const fieldRule = FIELD_RULES[typeName]?.[fieldName];
    if (fieldRule && fieldRule !== PUBLIC) rules.add(fieldRule);
  };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent || roots.has(parent.name) || node.name.value.startsWith("__")) return;
        if (isAbstractType(parent)) for (const type of schema.getPossibleTypes(parent)) add(type.name, node.name.value);
        else add(parent.name, node.name.value);
      },
    }),
  );
  return rules;
}

/** Whether roles pass every rule of `objectFieldRules` (an authenticated caller's). */
export function objectRulesAllow(roles: ReadonlySet<PartnerRole>, rules: ReadonlySet<FieldRule>): boolean {
  for (const fieldRule of rules) if (fieldRule !== AUTHENTICATED && fieldRule !== PUBLIC && !hasCapability(roles, fieldRule)) return false;
  return true;
}

function applyPermissions(schema: GraphQLSchema, middleware: Record<string, Record<string, unknown>>, options: { objectFields: boolean }): GraphQLSchema {
  const roots = rootTypeNames(schema);
  // root fields through graphql-middleware; an object field's check goes around its resolver directly, without
  // the two closures graphql-middleware makes on every call (a page of 50 customers calls two such fields per row)
  const guarded = applyMiddleware(schema, Object.fromEntries(Object.entries(middleware).filter(([typeName]) => roots.has(typeName))) as IMiddlewareFieldMap);
  for (const [typeName, fields] of Object.entries(middleware)) {
    if (roots.has(typeName) || !options.objectFields) continue;
    const type = guarded.getType(typeName);
    if (!isObjectType(type)) throw new Error(`${typeName} is not an object type of the schema`);
    for (const [fieldName, check] of Object.entries(fields)) {
      const field = type.getFields()[fieldName];
      if (!field || typeof check !== "function") throw new Error(`${typeName}.${fieldName} has no field or no plain permission check`);
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, ctx, info) => (check as FieldCheck)(resolve, source, args, ctx, info);
    }
  }
  const subscription = guarded.getSubscriptionType();
  const rules = (subscription ? middleware[subscription.name] : undefined) as Record<string, FieldCheck> | undefined;
  for (const field of Object.values(subscription?.getFields() ?? {})) {
    const check = rules?.[field.name];
    const subscribe: GraphQLFieldResolver<unknown, unknown> | undefined = field.subscribe;
    if (!check || !subscribe) throw new Error(`${subscription!.name}.${field.name} has no permission check for its subscribe`);
    field.subscribe = (source, args, ctx, info) => check(subscribe, source, args, ctx, info);
  }
  return guarded;
}
