import Redis from "ioredis";
import { USER_CACHE } from "../../src/auth/tokens";
import { userId } from "../../src/db/seed/demo-data";
import { encodeGlobalId } from "../../src/graphql/relay";
import { dataOf, PartnerRole, TestApp } from "../support/harness";
import { deleteRedisKeys, TEST_REDIS_URL, testRedisPrefix } from "../support/redis";

/**
 * Two instances on one database and the real Redis: a role taken away on
 * instance A stops working on instance B with the token B has already
 * verified and cached, on that token's next request there.
 */
const REDIS_URL = TEST_REDIS_URL;
const PREFIX = testRedisPrefix();
const env = { REDIS_URL, REDIS_KEY_PREFIX: PREFIX };

let a: TestApp;
let b: TestApp;
let listener: Redis;

beforeAll(async () => {
  a = await TestApp.start({ env });
  b = await TestApp.start({ env, databaseUrl: a.config.databaseUrl!, seed: false });
  listener = new Redis(REDIS_URL, { lazyConnect: true });
  await listener.connect();
  await listener.subscribe(`${PREFIX}invalidate`);
});

afterAll(async () => {
  await listener?.quit();
  await b?.close();
  await a?.close();
  await deleteRedisKeys(PREFIX);
});

/** Resolves once Redis has delivered the invalidation of this user's cached token checks (to B as to this listener). */
function invalidationOf(user: string): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (_channel: string, message: string) => {
      const { cache, key } = JSON.parse(message) as { cache: string; key: string };
      if (cache !== USER_CACHE || key !== user) return;
      listener.off("message", onMessage);
      setImmediate(resolve); // B's subscriber read the same delivery in this turn of the event loop
    };
    listener.on("message", onMessage);
  });
}

it("refuses a role taken away on A to the old token on B, on its next request", async () => {
  const customers = "{ customers(first: 1) { totalCount } }";
  const viewerRoles = "{ viewer { user { roles } } }";
  const oldToken = await a.token("fabrikam", PartnerRole.SALES_AGENT);
  expect(dataOf(await b.run(customers, {}, oldToken)).customers.totalCount).toBeGreaterThan(0); // B verified and cached it
  expect(dataOf(await b.run(viewerRoles, {}, oldToken)).viewer.user.roles).toEqual(["SALES_AGENT"]);

  const delivered = invalidationOf(userId("fabrikam", PartnerRole.SALES_AGENT));
  const changed = await a.as("fabrikam", PartnerRole.GLOBAL_ADMIN).run(
    `mutation($input: PartnerUserRolesSetInput!) { partnerUserRolesSet(input: $input) { user { roles } userErrors { code } } }`,
    { input: { userId: encodeGlobalId("PartnerUser", userId("fabrikam", PartnerRole.SALES_AGENT)), roles: [PartnerRole.BILLING_ADMIN] } },
  );
  expect(dataOf(changed).partnerUserRolesSet).toEqual({ user: { roles: ["BILLING_ADMIN"] }, userErrors: [] });
  await delivered;

  const denied = await b.run(customers, {}, oldToken);
  expect(denied.data?.customers).toBeNull();
  expect(denied.errors?.map((e) => [e.extensions?.code, e.path?.[0]])).toEqual([["FORBIDDEN", "customers"]]);
  expect(dataOf(await b.run(viewerRoles, {}, oldToken)).viewer.user.roles).toEqual([]);
  // and on A, which published it
  expect((await a.run(customers, {}, oldToken)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
});
