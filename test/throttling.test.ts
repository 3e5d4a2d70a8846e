import { PartnerRole, TestApp } from "./support/harness";

/** A partner over its cost budget gets 429 THROTTLED with Retry-After; other partners are unaffected. */
let app: TestApp;
beforeAll(async () => {
  app = await TestApp.start({ env: { RATE_LIMIT_CAPACITY: "300", RATE_LIMIT_REFILL_PER_SECOND: "1" } });
});
afterAll(() => app?.close());

async function post(token: string, query: string) {
  const response = await fetch(`${await app.url()}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), json: (await response.json()) as any };
}

it("throttles a partner whose requested cost exceeds what is left of its budget", async () => {
  const contoso = await app.token("contoso", PartnerRole.GLOBAL_ADMIN);
  const query = "{ customers(first: 50) { nodes { id companyName } } }"; // requests 151 points
  const first = await post(contoso, query);
  expect(first.status).toBe(200);
  expect(first.json.extensions.cost).toMatchObject({ requested: 151, limit: 50000 });
  expect(first.json.extensions.cost.remaining).toBeLessThan(300);
  let throttled = first;
  for (let i = 0; i < 5 && throttled.status === 200; i++) throttled = await post(contoso, query);
  expect(throttled.status).toBe(429);
  expect(Number(throttled.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(throttled.json.errors[0].extensions.code).toBe("THROTTLED");

  const adatum = await app.token("adatum", PartnerRole.GLOBAL_ADMIN);
  expect((await post(adatum, query)).status).toBe(200);
});
