import "reflect-metadata";
import type { GraphQLResolveInfo } from "graphql";
import { permissionsMiddleware } from "../src/auth/shield";
import { PartnerRole } from "../src/auth/roles";
import { buildBareSchema } from "../src/graphql/schema";

/**
 * A guarded object field (Customer.billingProfile: readBillingProfile) goes through graphql-shield the first time
 * its rule is asked in an operation; once shield has allowed the rule in that operation, the field resolves
 * without shield's async hop. A denial is shield's every time, and another operation asks shield again.
 */
type Check = (resolve: (...args: unknown[]) => unknown, parent: unknown, args: unknown, ctx: unknown, info: unknown) => unknown;

let check: Check;
const info = { fieldName: "billingProfile", parentType: { name: "Customer" }, path: { key: "billingProfile" } } as unknown as GraphQLResolveInfo;
const operation = (...roles: PartnerRole[]) => ({ viewer: { partnerId: "p", userId: "u", roles: new Set(roles) } });

beforeAll(async () => {
  const middleware = permissionsMiddleware(await buildBareSchema()) as unknown as Record<string, Record<string, Check>>;
  check = middleware.Customer!.billingProfile!;
});

it("shield decides the first field of a rule in an operation; the same operation's next ones resolve at once", async () => {
  const ctx = operation(PartnerRole.GLOBAL_ADMIN);
  const resolve = jest.fn(() => "profile");
  const first = check(resolve, {}, {}, ctx, info);
  expect(first).toBeInstanceOf(Promise);
  await expect(first).resolves.toBe("profile");
  const second = check(resolve, {}, {}, ctx, info);
  expect(second).toBe("profile"); // no promise: shield allowed this rule in this operation already
  expect(resolve).toHaveBeenCalledTimes(2);

  // another operation (another context) of the same caller: shield again
  const again = check(resolve, {}, {}, operation(PartnerRole.GLOBAL_ADMIN), info);
  expect(again).toBeInstanceOf(Promise);
  await again;
});

it("a caller whose roles lack the capability is denied by shield every time, and the resolver never runs", async () => {
  const ctx = operation(PartnerRole.HELPDESK_AGENT);
  const resolve = jest.fn(() => "profile");
  for (let i = 0; i < 3; i++) {
    const denied = check(resolve, {}, {}, ctx, info);
    expect(denied).toBeInstanceOf(Promise);
    const value = (await denied) as { extensions?: { code?: string } };
    expect(value.extensions?.code).toBe("FORBIDDEN");
  }
  expect(resolve).not.toHaveBeenCalled();
});
