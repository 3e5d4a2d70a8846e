import os from "node:os";
import path from "node:path";
import { Browser, Page } from "playwright-core";
import { ExampleOperation, loadExamples } from "../src/server/examples";
import { launchChromium } from "./support/browser";
import { TestApp } from "./support/harness";

/**
 * The playground for analysts, in real headless Chromium with every request to another host refused:
 * the sign-in panel (development and tests only), the docs' examples as tabs, the explorer.
 */
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A page whose requests to any other host are aborted and recorded, and whose script errors are recorded. */
async function offlinePage(base: string): Promise<{ page: Page; external: string[]; pageErrors: string[] }> {
  const context = await browser.newContext();
  const external: string[] = [];
  await context.route("**/*", (route) => {
    if (route.request().url().startsWith(`${base}/`)) return route.continue();
    external.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  return { page, external, pageErrors };
}

const editorValue = (page: Page, section: string) =>
  page.evaluate((selector) => (document.querySelector(`${selector} .CodeMirror`) as any).CodeMirror.getValue() as string, section);

async function post(base: string, body: string, contentType = "application/json") {
  const response = await fetch(`${base}/playground/token`, { method: "POST", headers: { "content-type": contentType }, body });
  return { status: response.status, json: await response.json() };
}

describe("in development (and tests)", () => {
  let app: TestApp;
  let base: string;
  beforeAll(async () => {
    app = await TestApp.start();
    base = await app.url();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("POST /playground/token signs a demo user's token with the roles asked, which the API accepts", async () => {
    const signed = await post(base, JSON.stringify({ partner: "contoso", roles: ["SALES_AGENT", "BILLING_ADMIN"] }));
    expect(signed.status).toBe(200);
    expect(signed.json).toMatchObject({ partner: { key: "contoso", mpnId: "1000001" }, roles: ["SALES_AGENT", "BILLING_ADMIN"], email: "sales.agent@contoso.example" });
    const viewer = await app.run("{ viewer { user { email roles } partner { name } } }", {}, signed.json.token);
    expect(viewer.data).toEqual({ viewer: { user: { email: "sales.agent@contoso.example", roles: ["SALES_AGENT", "BILLING_ADMIN"] }, partner: { name: "Contoso Cloud Direct" } } });
    // an MPN id names the partner too
    expect((await post(base, JSON.stringify({ partner: "1000002", roles: ["HELPDESK_AGENT"] }))).json.email).toBe("helpdesk.agent@fabrikam.example");
  });

  it.each([
    ["an unknown partner", JSON.stringify({ partner: "acme", roles: ["SALES_AGENT"] }), /^Unknown partner "acme"; the demo partners: contoso \(1000001, Contoso Cloud Direct\), /],
    ["an unknown role", JSON.stringify({ partner: "contoso", roles: ["SALES_AGENT", "CEO"] }), /^Unknown role "CEO"; the roles: GLOBAL_ADMIN, /],
    ["no role", JSON.stringify({ partner: "contoso", roles: [] }), /^Choose at least one role/],
    ["roles that are not a list", JSON.stringify({ partner: "contoso", roles: "SALES_AGENT" }), /^roles must be a list of role names/],
    ["no partner", JSON.stringify({ roles: ["SALES_AGENT"] }), /^partner must be a demo partner's key or MPN id/],
    ["a JSON array", "[]", /^Send JSON/],
    ["JSON that does not parse", "{partner:", /^The body is not valid JSON/],
    ["a body over 4 KB", JSON.stringify({ partner: "contoso", roles: Array(1000).fill("SALES_AGENT") }), /^The body is not valid JSON \(or over 4 KB\)/],
  ])("refuses %s with 400 and a message saying what is wrong", async (_what, body, message) => {
    const refused = await post(base, body);
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatch(message);
    expect(refused.json.token).toBeUndefined();
  });

  it("refuses a body that is not JSON (a cross-site form's) with 400", async () => {
    const refused = await post(base, "partner=contoso&roles=GLOBAL_ADMIN", "application/x-www-form-urlencoded");
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatch(/^Send JSON \(Content-Type: application\/json\)/);
  });

  it("GET /playground/examples serves the docs' example operations", async () => {
    const response = await fetch(`${base}/playground/examples`);
    expect(response.status).toBe(200);
    const { examples } = await response.json();
    expect(examples).toEqual(loadExamples());
    expect(examples.length).toBeGreaterThan(0);
  });

  it("an analyst signs in as Contoso's sales agent, opens an example in a tab, runs it, then is refused a field of other roles", async () => {
    const examples: ExampleOperation[] = (await (await fetch(`${base}/playground/examples`)).json()).examples;
    // a customers page of the sales agent's: whatever the docs call it, there must be one
    const example = examples.find((e) => e.partner === "contoso" && e.roles.join() === "SALES_AGENT" && /^query\b/.test(e.query) && /\bcustomers\(/.test(e.query));
    expect(example).toBeDefined();
    const { page, external, pageErrors } = await offlinePage(base);

    await page.goto(`${base}/playground`);
    // the sign-in panel is open on a first visit
    await page.waitForSelector("#playground-sign-in", { timeout: 30000 });
    await page.selectOption("#playground-sign-in select[name=partner]", "contoso");
    await page.uncheck('#playground-sign-in input[value="GLOBAL_ADMIN"]');
    await page.check('#playground-sign-in input[value="SALES_AGENT"]');
    await page.click('#playground-sign-in button[type="submit"]');
    await page.waitForSelector("#playground-session", { timeout: 30000 });
    expect(await page.textContent("#playground-session")).toContain("Signed in as sales.agent@contoso.example of Contoso Cloud Direct: SALES_AGENT.");
    // the token is in the headers editor, where the analyst sees it
    expect(JSON.parse(await editorValue(page, ".graphiql-editor-tool .graphiql-editor:not(.hidden)")).Authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    // and the schema was fetched with it (tests, like production, refuse introspection without a token)
    await page.click('button[aria-label="Show Documentation Explorer"]');
    await page.waitForFunction(() => document.body.innerText.includes("Root Types"), undefined, { timeout: 30000 });

    // the examples for the signed-in roles come first
    await page.click('button[aria-label="Show Sign in & examples"]');
    await page.waitForSelector("#playground-examples h4:text('For your roles')");
    const mine = page.locator("#playground-examples ul").first();
    expect(await mine.locator("button[data-example]").evaluateAll((buttons) => buttons.map((b) => b.getAttribute("data-example")))).toEqual(
      examples.filter((e) => e.roles.every((role) => role === "SALES_AGENT")).map((e) => e.name),
    );
    const tabsBefore = await page.locator(".graphiql-tab").count();
    await mine.locator(`button[data-example="${example!.name}"]`).click();
    expect(await page.locator(".graphiql-tab").count()).toBe(tabsBefore + 1);
    expect(await editorValue(page, ".graphiql-query-editor")).toBe(example!.query);

    const ran = page.waitForResponse((r) => r.url() === `${base}/graphql` && r.request().method() === "POST" && (r.request().postData() ?? "").includes("customers("));
    await page.click(".graphiql-execute-button");
    const response = await ran;
    const sent = JSON.parse(response.request().postData()!);
    expect(sent.variables).toEqual(example!.variables);
    expect(response.request().headers().authorization).toMatch(/^Bearer /);
    const result = await response.json();
    expect(result.errors).toBeUndefined();
    const customers = result.data.customers;
    const names: string[] = (customers.nodes ?? customers.edges.map((edge: any) => edge.node)).map((c: any) => c.companyName);
    expect(names.length).toBeGreaterThan(0);
    // the rows are in the result pane
    await page.waitForFunction((name) => document.querySelector(".graphiql-response")?.textContent?.includes(name), names[0], { timeout: 30000 });

    // a field Sales agents may not read (partnerUsers: Global, User management and Referrals admins), clicked together in the explorer
    await page.click(".graphiql-tab-add");
    await page.evaluate(() => (document.querySelector(".graphiql-query-editor .CodeMirror") as any).CodeMirror.setValue(""));
    await page.click('button[aria-label="Show GraphiQL Explorer"]');
    await page.click(".graphiql-explorer-root [data-field-name='partnerUsers']");
    await page.click(".graphiql-explorer-partnerUsers [data-field-name='totalCount']");
    await page.waitForFunction(() => /^query MyQuery {\s*partnerUsers {\s*totalCount\s*}\s*}$/.test((document.querySelector(".graphiql-query-editor .CodeMirror") as any).CodeMirror.getValue()), undefined, { timeout: 30000 });
    const denied = page.waitForResponse((r) => r.url() === `${base}/graphql` && (r.request().postData() ?? "").includes("partnerUsers"));
    await page.click(".graphiql-execute-button");
    const refused = await (await denied).json();
    expect(refused.errors.map((e: any) => [e.path, e.extensions.code])).toEqual([[["partnerUsers"], "FORBIDDEN"]]);
    await page.waitForFunction(() => document.querySelector(".graphiql-response")?.textContent?.includes('"FORBIDDEN"'), undefined, { timeout: 30000 });

    await page.screenshot({ path: path.join(os.tmpdir(), "playground-analyst.png") });
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("an example of another caller signs in as its partner and roles when nobody is signed in", async () => {
    const examples: ExampleOperation[] = (await (await fetch(`${base}/playground/examples`)).json()).examples;
    const example = examples.find((e) => e.roles.length === 1 && e.roles[0] !== "SALES_AGENT" && /^query\b/.test(e.query));
    expect(example).toBeDefined();
    const { page, external, pageErrors } = await offlinePage(base);
    await page.goto(`${base}/playground`);
    await page.waitForSelector(`button[data-example="${example!.name}"]`, { timeout: 30000 });
    await page.click(`button[data-example="${example!.name}"]`);
    await page.waitForSelector("#playground-session", { timeout: 30000 });
    expect(await page.textContent("#playground-session")).toContain(`: ${example!.roles[0]}.`);
    await page.waitForFunction((query) => (document.querySelector(".graphiql-query-editor .CodeMirror") as any).CodeMirror.getValue() === query, example!.query, { timeout: 30000 });

    // signed in as someone else, an example opens with that token, and the panel offers the example's own caller
    const other = examples.find((e) => e.partner !== example!.partner || e.roles.join() !== example!.roles.join())!;
    await page.click(`button[data-example="${other.name}"]`);
    expect(await editorValue(page, ".graphiql-query-editor")).toBe(other.query);
    await page.click("#playground-examples button:text('Sign in as them')");
    await page.waitForFunction((roles) => document.querySelector("#playground-session")?.textContent?.includes(`: ${roles}.`), other.roles.join(", "), { timeout: 30000 });
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});

describe("in production", () => {
  let app: TestApp;
  let base: string;
  beforeAll(async () => {
    app = await TestApp.start({ env: { NODE_ENV: "production" } });
    base = await app.url();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("POST /playground/token is a 404, whatever the body, and the page does not mention it", async () => {
    expect(await (await fetch(`${base}/playground`)).text()).not.toContain("/playground/token");
    for (const body of [JSON.stringify({ partner: "contoso", roles: ["GLOBAL_ADMIN"] }), "{partner:"]) {
      const refused = await post(base, body);
      expect(refused.status).toBe(404);
      expect(refused.json.token).toBeUndefined();
    }
  });

  it.each(["/playground", "/graphql"])("GET %s in a browser has no sign-in panel, but the examples and the explorer", async (route) => {
    const { page, external, pageErrors } = await offlinePage(base);
    const tokenRequests: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/playground/token")) tokenRequests.push(request.url());
    });
    await page.goto(`${base}${route}`);
    await page.waitForSelector(".graphiql-container", { timeout: 30000 });
    expect(await page.locator('button[aria-label="Show Sign in & examples"]').count()).toBe(0);
    await page.click('button[aria-label="Show Examples"]');
    await page.waitForSelector("#playground-examples button[data-example]", { timeout: 30000 });
    expect(await page.locator("#playground-sign-in").count()).toBe(0);
    expect(await page.locator('button[aria-label="Show GraphiQL Explorer"]').count()).toBe(1);
    // an example opens as it is, with no token minted
    await page.locator("#playground-examples button[data-example]").first().click();
    expect(await editorValue(page, ".graphiql-query-editor")).toBe(loadExamples()[0]!.query);
    expect(tokenRequests).toEqual([]);
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});
