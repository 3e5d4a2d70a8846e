import { Browser } from "playwright-core";
import { launchChromium } from "../support/browser";
import { customerInput, CUSTOMER_CREATE } from "../support/fixtures";
import { dataOf, partnerId, PartnerRole, TestApp } from "../support/harness";
import { subscribed } from "./support";

/** The playground runs a subscription over WebSocket with the token of its Headers tab, and shows the events as they come. */
let app: TestApp;
let base: string;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  app = await TestApp.start();
  base = await app.url();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

it("runs a subscription in GraphiQL and shows a pushed event", async () => {
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(`${base}/playground`);
  await page.waitForSelector(".graphiql-container", { timeout: 30000 });
  const token = await app.token("contoso", PartnerRole.GLOBAL_ADMIN);
  await page.evaluate((value) => {
    localStorage.clear();
    localStorage.setItem("graphiql:headers", JSON.stringify({ Authorization: `Bearer ${value}` }));
    localStorage.setItem("graphiql:query", "subscription Watch { customerEvents { type customer { companyName } } }");
  }, token);
  await page.reload();
  await page.waitForFunction(() => document.body.innerText.includes("subscription Watch"), undefined, { timeout: 30000 });
  await page.click(".graphiql-execute-button");
  await subscribed(app, partnerId("contoso"));

  const created = dataOf(await app.as("contoso", PartnerRole.GLOBAL_ADMIN).run(CUSTOMER_CREATE, { input: customerInput({ billingProfile: { companyName: "Seen In The Playground Ltd" } }) })).customerCreate;
  expect(created.userErrors).toEqual([]);
  await page.waitForFunction(() => document.body.innerText.includes("Seen In The Playground Ltd"), undefined, { timeout: 30000 });
  expect(pageErrors).toEqual([]);
  await page.close();
});
