import "reflect-metadata";
import { GraphQLSchema, isObjectType, parse } from "graphql";
import { FIELD_RULES } from "../src/auth/field-rules";
import { objectFieldRules, objectRulesAllow, rootChecksOnly, withPermissions } from "../src/auth/shield";
import { PartnerRole } from "../src/auth/roles";
import { buildBareSchema } from "../src/graphql/schema";
import { withReadPlanner } from "../src/graphql/planner/schema";
import { WORKLOAD_A, WORKLOAD_B } from "../bench/workloads";

/**
 * The schema variant compiled execution runs for a caller whose roles pass every object-field rule of a document
 * (src/auth/shield.ts `rootChecksOnly`): object fields without their checks, root fields with theirs, and the
 * served schema untouched by it. Answers through both are compared in test/jit.test.ts.
 */
let bare: GraphQLSchema;
let guarded: GraphQLSchema;
let variant: GraphQLSchema;

beforeAll(async () => {
  bare = withReadPlanner(await buildBareSchema());
  guarded = withPermissions(bare);
  variant = rootChecksOnly(guarded)!;
});

/** What the check goes around: a subscription field's `subscribe`, any other field's `resolve`. */
function resolverOf(schema: GraphQLSchema, typeName: string, fieldName: string) {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  const field = type.getFields()[fieldName]!;
  return type === schema.getSubscriptionType() ? field.subscribe : field.resolve;
}

it("object fields keep their own resolvers in the variant and get a check in the served schema; root fields are checked in both", () => {
  expect(variant).toBeInstanceOf(GraphQLSchema);
  const roots = new Set([bare.getQueryType()!.name, bare.getMutationType()!.name, bare.getSubscriptionType()!.name]);
  let objectFields = 0;
  for (const [typeName, fields] of Object.entries(FIELD_RULES)) {
    for (const fieldName of Object.keys(fields)) {
      const type = bare.getType(typeName);
      if (!isObjectType(type) || !(fieldName in type.getFields())) continue;
      const own = resolverOf(bare, typeName, fieldName);
      if (roots.has(typeName)) {
        expect([typeName, fieldName, resolverOf(variant, typeName, fieldName) !== own]).toEqual([typeName, fieldName, true]);
      } else {
        objectFields++;
        expect([typeName, fieldName, resolverOf(variant, typeName, fieldName) === own]).toEqual([typeName, fieldName, true]);
        expect([typeName, fieldName, resolverOf(guarded, typeName, fieldName) !== own]).toEqual([typeName, fieldName, true]);
      }
    }
  }
  expect(objectFields).toBeGreaterThan(5);
});

it("a document's object-field rules: fields of every operation and fragment, root fields and unguarded fields left out", () => {
  expect([...objectFieldRules(guarded, parse(WORKLOAD_A))].sort()).toEqual(["readBillingProfile", "readPurchasePermissions"]);
  expect(objectFieldRules(guarded, parse(`{ customers(first: 1) { nodes { id companyName } } }`)).size).toBe(0);
  expect(objectFieldRules(guarded, parse(`query($id: ID!) { node(id: $id) { id __typename } }`)).size).toBe(0);
  const throughFragments = parse(`
    query A($id: ID!) { node(id: $id) { ...F } }
    query B { viewer { user { id } } }
    fragment F on Customer { billingProfile { email } }`);
  expect(objectFieldRules(guarded, throughFragments).has("readBillingProfile")).toBe(true);
  const b = objectFieldRules(guarded, parse(WORKLOAD_B));
  expect(b.has("readBillingProfile")).toBe(true);
});

it("roles pass the rules only when they hold every capability named", () => {
  const rules = objectFieldRules(guarded, parse(WORKLOAD_A));
  expect(objectRulesAllow(new Set([PartnerRole.GLOBAL_ADMIN]), rules)).toBe(true);
  expect(objectRulesAllow(new Set([PartnerRole.SALES_AGENT]), rules)).toBe(true);
  expect(objectRulesAllow(new Set([PartnerRole.HELPDESK_AGENT]), rules)).toBe(false);
  expect(objectRulesAllow(new Set([PartnerRole.HELPDESK_AGENT, PartnerRole.ADMIN_AGENT]), rules)).toBe(true);
  expect(objectRulesAllow(new Set(), new Set(["authenticated"] as const))).toBe(true);
});
