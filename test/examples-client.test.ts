import { createClient, documentHash, GraphQLRequestError, type Client } from "../examples/client/client";
import { createCustomer, customerPages, explainCreateError, formErrors, listAllCustomers, ListCustomersDocument, removeRelationship, type CustomerPage, type UserError } from "../examples/client/customers";
import type { CustomerCreateInput } from "../examples/client/gql/graphql";
import { uniquePrefix } from "./support/fixtures";
import { dataOf, PartnerRole, TestApp } from "./support/harness";

/** The example client of examples/client, over HTTP against the demo data (PERSISTED_OPERATIONS off, the default). */
let app: TestApp;
let url: string;
let client: Client;

beforeAll(async () => {
  app = await TestApp.start();
  url = `${await app.url()}/graphql`;
  client = createClient({ url, token: await app.token("contoso", PartnerRole.GLOBAL_ADMIN) });
});
afterAll(() => app?.close());

const newCustomer = (domainPrefix = uniquePrefix("ex")): CustomerCreateInput => ({
  companyProfile: { domainPrefix },
  billingProfile: {
    companyName: "Example Front End Ltd",
    firstName: "Grace",
    lastName: "Hopper",
    email: "billing@example-front-end.example",
    phoneNumber: "+1 425 555 0100",
    culture: "en-US",
    language: "en",
    address: { addressLine1: "1 Main St", city: "Seattle", state: "WA", postalCode: "98101", country: "US" },
  },
});

describe("listing customers with paging", () => {
  it("follows endCursor page by page and reads every customer once, in the server's order", async () => {
    const pages: CustomerPage[] = [];
    for await (const page of customerPages(client, { pageSize: 7 })) pages.push(page);
    const everyone = dataOf(await app.as("contoso", PartnerRole.GLOBAL_ADMIN).run<{ customers: { nodes: { id: string }[] } }>(`{ customers(first: 500) { nodes { id } } }`));
    const expected = everyone.customers.nodes.map((n) => n.id);
    expect(expected.length).toBeGreaterThan(14); // three pages at least

    expect(pages.flatMap((p) => p.rows.map((r) => r.id))).toEqual(expected);
    expect(pages).toHaveLength(Math.ceil(expected.length / 7));
    expect(pages[0]!.totalCount).toBe(expected.length); // asked for on the first page only
    expect(pages.slice(1).every((p) => p.totalCount === undefined)).toBe(true);
    pages.forEach((page, i) => {
      expect(page.after).toBe(i === 0 ? null : pages[i - 1]!.endCursor);
      expect(page.hasNextPage).toBe(i < pages.length - 1);
      expect(page.rows.length).toBe(i < pages.length - 1 ? 7 : expected.length - 7 * (pages.length - 1));
    });
    expect(new Set(pages.map((p) => p.endCursor)).size).toBe(pages.length);
    expect(pages[0]!.rows[0]).toEqual({
      id: expect.any(String),
      companyName: expect.any(String),
      defaultDomain: expect.stringMatching(/\./),
      country: expect.stringMatching(/^[A-Z]{2}$/),
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      relationship: { status: "ACTIVE", removedAt: null },
    });
  });

  it("passes a typed filter through", async () => {
    const rows = await listAllCustomers(client, { pageSize: 500, filter: { country: "US" } });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.country === "US")).toBe(true);
  });
});

describe("creating a customer", () => {
  it("returns the customer and its initial admin", async () => {
    const input = newCustomer();
    const result = await createCustomer(client, input);
    if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.userErrors)}`);
    expect(result.value.customer).toMatchObject({ companyName: "Example Front End Ltd", defaultDomain: `${input.companyProfile.domainPrefix}.onmicrosoft.com`, relationship: { status: "ACTIVE", establishedVia: "CREATED" } });
    expect(result.value.initialAdmin).toEqual({ userName: expect.stringContaining("@"), temporaryPassword: expect.any(String) });
    const listed = await listAllCustomers(client, { filter: { search: input.companyProfile.domainPrefix } });
    expect(listed.map((r) => r.id)).toEqual([result.value.customer.id]);
  });

  it("reports a taken domain as a typed DOMAIN_TAKEN userError on the domain prefix, and creates nothing", async () => {
    const input = newCustomer();
    expect((await createCustomer(client, input)).ok).toBe(true);
    const again = await createCustomer(client, { ...input, billingProfile: { ...input.billingProfile, companyName: "Someone Else" } });
    if (again.ok) throw new Error("a second customer with the same domain was created");
    expect(again.userErrors).toEqual([{ code: "DOMAIN_TAKEN", field: ["input", "companyProfile", "domainPrefix"], message: expect.any(String) }]);
    const taken = again.userErrors.find((e) => e.code === "DOMAIN_TAKEN")!;
    expect(explainCreateError(taken)).toBe("That domain is already in use: choose another domain prefix.");
    expect(formErrors(again.userErrors)).toEqual({ "companyProfile.domainPrefix": [taken.message] });
    expect(await listAllCustomers(client, { filter: { search: input.companyProfile.domainPrefix } })).toHaveLength(1);
  });

  it("types userError codes as the schema's UserErrorCode (checked by npm run typecheck)", () => {
    // @ts-expect-error a misspelt code does not compile
    const misspelt: UserError["code"] = "DOMAIN_TAKN";
    const known: UserError["code"] = "DOMAIN_TAKEN";
    expect([misspelt, known]).toHaveLength(2);
  });

  it("reports every invalid input at once, keyed by field for a form", async () => {
    const input = newCustomer();
    const result = await createCustomer(client, {
      ...input,
      billingProfile: { ...input.billingProfile, email: "not-an-email", address: { ...input.billingProfile.address, state: "ZZ" } },
    });
    if (result.ok) throw new Error("an invalid customer was created");
    expect(result.userErrors.map((e) => e.code).sort()).toEqual(["INVALID_EMAIL", "INVALID_STATE"]);
    expect(Object.keys(formErrors(result.userErrors)).sort()).toEqual(["billingProfile.address.state", "billingProfile.email"]);
    expect(result.userErrors.map(explainCreateError)).toEqual(result.userErrors.map((e) => e.message)); // no canned sentence for these
  });
});

describe("removing a relationship", () => {
  it("ends it: the customer leaves the list and shows under REMOVED", async () => {
    const created = await createCustomer(client, newCustomer());
    if (!created.ok) throw new Error(`refused: ${JSON.stringify(created.userErrors)}`);
    const { id, defaultDomain } = created.value.customer;

    const removed = await removeRelationship(client, id);
    expect(removed).toEqual({ ok: true, value: { removedCustomerId: id, suspendedSubscriptions: [] } });
    expect(await listAllCustomers(client, { filter: { search: defaultDomain } })).toEqual([]);
    const gone = await listAllCustomers(client, { filter: { search: defaultDomain, relationshipStatus: "REMOVED" } });
    expect(gone).toEqual([expect.objectContaining({ id, relationship: { status: "REMOVED", removedAt: expect.any(String) } })]);

    // an ended relationship is no longer there to remove
    expect(await removeRelationship(client, id)).toEqual({ ok: false, userErrors: [{ code: "NOT_FOUND", field: ["input", "customerId"], message: expect.any(String) }] });
  });
});

describe("errors outside userErrors", () => {
  it("throws GraphQLRequestError with the HTTP status and code: no token is 401 UNAUTHENTICATED", async () => {
    const anonymous = createClient({ url });
    const error = await listAllCustomers(anonymous).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect(error).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
  });

  it("a role that may not list customers gets FORBIDDEN", async () => {
    const referrals = createClient({ url, token: await app.token("contoso", PartnerRole.REFERRALS_USER) });
    await expect(listAllCustomers(referrals)).rejects.toMatchObject({ status: 200, code: "FORBIDDEN" });
  });

  it("with PERSISTED_OPERATIONS off the server knows no registered hashes: Apollo's APQ asks for the text", async () => {
    const persisted = createClient({ url, token: await app.token("contoso", PartnerRole.GLOBAL_ADMIN), persisted: true });
    await expect(listAllCustomers(persisted)).rejects.toMatchObject({ code: "PERSISTED_QUERY_NOT_FOUND" });
    expect(documentHash(ListCustomersDocument)).toMatch(/^[0-9a-f]{64}$/);
  });
});
