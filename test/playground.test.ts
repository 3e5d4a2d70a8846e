import os from "node:os";
import path from "node:path";
import { Browser } from "playwright-core";
import { launchChromium } from "./support/browser";
import { PartnerRole, TestApp } from "./support/harness";

/** The playground in real headless Chromium: served offline, loads the schema, runs a query. */
let app: TestApp;
let base: string;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium(); // the binary npm test's pretest step found (CHROMIUM_PATH, else /usr/bin/chromium, ...)
  app = await TestApp.start();
  base = await app.url();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

it.each(["/graphql", "/playground"])("GET %s in a browser shows GraphiQL from local files, loads the schema and runs a query", async (route) => {
  const page = await browser.newPage();
  const external: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(base)) external.push(request.url());
  });
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));

  await page.goto(`${base}${route}`);
  await page.waitForSelector(".graphiql-container", { timeout: 30000 });
  // the preloaded example is there
  await page.waitForFunction(() => document.body.innerText.includes("FirstCustomers"), undefined, { timeout: 30000 });

  // put a token into the headers editor the way a user would, then run the example
  const token = await app.token("contoso", PartnerRole.GLOBAL_ADMIN);
  await page.evaluate((value) => localStorage.setItem("graphiql:headers", JSON.stringify({ Authorization: `Bearer ${value}` })), token);
  await page.reload();
  await page.waitForSelector(".graphiql-container", { timeout: 30000 });
  const response = page.waitForResponse((r) => r.url().startsWith(`${base}/graphql`) && r.request().method() === "POST" && (r.request().postData() ?? "").includes("FirstCustomers"));
  await page.click(".graphiql-execute-button");
  const result = await (await response).json();
  expect(result.errors).toBeUndefined();
  expect(result.data.viewer.partner.name).toBe("Contoso Cloud Direct");
  await page.waitForFunction(() => document.body.innerText.includes("Contoso Cloud Direct"), undefined, { timeout: 30000 });

  // the schema was introspected: the docs explorer lists the root types
  await page.click('button[aria-label="Show Documentation Explorer"]');
  await page.waitForFunction(() => document.body.innerText.includes("Root Types"), undefined, { timeout: 30000 });

  expect(external).toEqual([]);
  expect(pageErrors).toEqual([]);
  await page.screenshot({ path: path.join(os.tmpdir(), `playground${route.replace("/", "-")}.png`) });
  await page.close();
});

it("opens an invitation URL in a browser and accepts it with the tenant id, without signing in", async () => {
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${await app.token("contoso", PartnerRole.SALES_AGENT)}` },
    body: JSON.stringify({ query: `mutation { relationshipRequestCreate(input: { includeDelegatedAdmin: true }) { relationshipRequest { invitationUrl } userErrors { code } } }` }),
  });
  const url: string = (await response.json()).data.relationshipRequestCreate.relationshipRequest.invitationUrl;
  expect(url.startsWith(`${base}/invitations/accept?token=`)).toBe(true); // PUBLIC_BASE_URL defaults to the server's own URL
  const [tenant] = await app.sql(`SELECT tenant_id FROM customer WHERE company_name = 'Woodgrove Bank'`);
  const page = await browser.newPage();
  const external: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(base)) external.push(request.url());
  });
  await page.goto(url);
  await page.fill("#tenant", tenant.tenant_id);
  await page.click("button[type=submit]");
  await page.waitForSelector('#result[data-state="accepted"]', { timeout: 30000 });
  expect(await page.textContent("#result")).toBe("Accepted: Woodgrove Bank now works with this partner.");
  // the same link again is refused
  await page.click("button[type=submit]");
  await page.waitForSelector('#result[data-state="refused"]', { timeout: 30000 });
  expect(await page.textContent("#result")).toContain("INVITATION_NOT_VALID");
  expect(external).toEqual([]);
  await page.close();
});
