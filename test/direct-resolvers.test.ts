import "reflect-metadata";
import { GraphQLFieldResolver, GraphQLResolveInfo, GraphQLSchema, isObjectType } from "graphql";
import { buildSchema } from "type-graphql";
import { withDirectFieldResolvers } from "../src/graphql/direct-resolvers";
import { resolvers } from "../src/graphql/schema";
import { MODULES } from "../src/modules";
import { Customer } from "../src/modules/customers/customer.entity";
import { CustomerRelationship } from "../src/modules/relationships/customer-relationship.entity";

/**
 * type-graphql's field resolvers called directly (src/graphql/direct-resolvers.ts): the same answer as type-graphql's
 * own resolver for a parent of the class, type-graphql's own for any other parent, and fields with arguments left
 * to type-graphql. Whole answers through both are compared by the suite's equivalence tests (test/jit.test.ts,
 * test/planner).
 */
const build = () => buildSchema({ resolvers, orphanedTypes: MODULES.flatMap((m) => m.subscriptions?.types ?? []), validate: false, emitSchemaFile: false });
let typeGraphql: GraphQLSchema;
let direct: GraphQLSchema;
let replaced: string[];

beforeAll(async () => {
  typeGraphql = await build();
  direct = await build();
  replaced = withDirectFieldResolvers(direct);
});

function resolverOf(schema: GraphQLSchema, coordinate: string): GraphQLFieldResolver<unknown, unknown> {
  const [typeName, fieldName] = coordinate.split(".") as [string, string];
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  return type.getFields()[fieldName]!.resolve!;
}

it("replaces getters and field resolvers taking the parent and the context; leaves those with arguments", () => {
  expect(replaced).toEqual(expect.arrayContaining(["Customer.billingProfile", "Customer.relationship", "Customer.indirectReseller", "Customer.purchasePermissions", "Customer.id"]));
  expect(replaced).not.toContain("Customer.subscriptions"); // @Args
  expect(replaced).not.toContain("Customer.auditRecords");
  expect(replaced.length).toBeGreaterThan(20);
});

it("a getter answers as type-graphql's does, for an instance and for a plain parent", () => {
  const profile = { companyName: "Contoso", address: { country: "US" } };
  const relationship = Object.assign(new CustomerRelationship(), { billingProfile: profile });
  const instance = Object.assign(new Customer(), { id: "c1", scopeRelationship: relationship });
  const plain = { id: "c1", scopeRelationship: relationship };
  const info = {} as GraphQLResolveInfo;
  for (const coordinate of ["Customer.billingProfile", "Customer.country", "Customer.id"]) {
    for (const parent of [instance, plain]) {
      const expected = resolverOf(typeGraphql, coordinate)(parent, {}, {}, info);
      expect([coordinate, resolverOf(direct, coordinate)(parent, {}, {}, info)]).toEqual([coordinate, expected]);
    }
  }
  expect(resolverOf(direct, "Customer.billingProfile")(plain, {}, {}, info)).toBe(profile); // through type-graphql's conversion
});

it("a field resolver gets the parent and the context as type-graphql hands them over", () => {
  const seen: unknown[] = [];
  const ctx = { services: { customers: { relationship: (c: unknown, customer: unknown) => (seen.push([c, customer]), "own") } } };
  const customer = Object.assign(new Customer(), { id: "c2" });
  expect(resolverOf(direct, "Customer.relationship")(customer, {}, ctx, {} as GraphQLResolveInfo)).toBe("own");
  expect(resolverOf(typeGraphql, "Customer.relationship")(customer, {}, ctx, {} as GraphQLResolveInfo)).toBe("own");
  expect(seen).toEqual([
    [ctx, customer],
    [ctx, customer],
  ]);
});
