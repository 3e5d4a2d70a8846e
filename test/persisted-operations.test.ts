import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildSchema } from "graphql";
import { createClient, GraphQLRequestError } from "../examples/client/client";
import { createCustomer, listAllCustomers, ListCustomersDocument, removeRelationship } from "../examples/client/customers";
import { loadConfig, projectRoot } from "../src/config";
import { PersistedManifestError, PersistedOperations } from "../src/server/persisted-operations";
import { uniquePrefix } from "./support/fixtures";
import { PartnerRole, TestApp } from "./support/harness";

/** PERSISTED_OPERATIONS: registered operations by hash, and `only` refusing every other document. */
const MANIFEST = path.join(projectRoot(), "examples", "client", "gql", "persisted-documents.json");
const manifest = JSON.parse(fs.readFileSync(MANIFEST, "utf8")) as Record<string, string>;
const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");
const idOf = (operationName: string) => Object.keys(manifest).find((id) => manifest[id]!.includes(` ${operationName}(`))!;
const LIST_ID = idOf("ListCustomers");
const UNREGISTERED = "{ viewer { user { id } } }";

async function post(url: string, body: unknown, token?: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } };
}

const listVariables = { first: 3, withTotal: true };

describe("PERSISTED_OPERATIONS=only", () => {
  let app: TestApp;
  let url: string;
  let token: string;

  beforeAll(async () => {
    app = await TestApp.start({ env: { PERSISTED_OPERATIONS: "only", PERSISTED_OPERATIONS_MANIFEST: MANIFEST } });
    url = `${await app.url()}/graphql`;
    token = await app.token("contoso", PartnerRole.GLOBAL_ADMIN);
  });
  afterAll(() => app?.close());

  it("runs the example client's registered operations sent by hash alone", async () => {
    const client = createClient({ url, token, persisted: true });
    const rows = await listAllCustomers(client, { pageSize: 20 });
    expect(rows.length).toBeGreaterThan(20);
    const created = await createCustomer(client, {
      companyProfile: { domainPrefix: uniquePrefix("po") },
      billingProfile: { companyName: "Persisted Ltd", email: "billing@persisted.example", phoneNumber: "+1 425 555 0100", culture: "en-US", language: "en", address: { addressLine1: "1 Main St", city: "Seattle", state: "WA", postalCode: "98101", country: "US" } },
    });
    if (!created.ok) throw new Error(`refused: ${JSON.stringify(created.userErrors)}`);
    expect(await removeRelationship(client, created.value.customer.id)).toMatchObject({ ok: true });
  });

  it("accepts documentId (sha256:<hex>), the APQ extension, GET, and the manifest's exact text", async () => {
    const byDocumentId = await post(url, { documentId: LIST_ID, variables: listVariables }, token);
    expect(byDocumentId.status).toBe(200);
    expect(byDocumentId.json.errors).toBeUndefined();
    expect(byDocumentId.json.data.customers.nodes).toHaveLength(3);

    const byApq = await post(url, { variables: listVariables, extensions: { persistedQuery: { version: 1, sha256Hash: LIST_ID.slice("sha256:".length) } } }, token);
    expect(byApq.json.data).toEqual(byDocumentId.json.data);

    const search = new URLSearchParams({ variables: JSON.stringify(listVariables), extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: LIST_ID.slice(7) } }) });
    const get = await fetch(`${url}?${search}`, { headers: { authorization: `Bearer ${token}`, "apollo-require-preflight": "true" } });
    expect(get.status).toBe(200);
    expect(((await get.json()) as { data: unknown }).data).toEqual(byDocumentId.json.data);

    const byText = await post(url, { query: manifest[LIST_ID], variables: listVariables }, token);
    expect(byText.json.data).toEqual(byDocumentId.json.data);
  });

  it("refuses an unregistered document with 400 PERSISTED_QUERY_ONLY, before it runs", async () => {
    const refused = await post(url, { query: UNREGISTERED }, token);
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ errors: [{ message: expect.stringContaining("registered operations only"), extensions: { code: "PERSISTED_QUERY_ONLY" } }] });

    const get = await fetch(`${url}?query=${encodeURIComponent(UNREGISTERED)}`, { headers: { authorization: `Bearer ${token}`, "apollo-require-preflight": "true" } });
    expect(get.status).toBe(400);
    expect(((await get.json()) as any).errors[0].extensions.code).toBe("PERSISTED_QUERY_ONLY");

    // the example client's non-persisted mode sends graphql-js's print of the document, not the manifest's text
    const plain = createClient({ url, token });
    const error = await listAllCustomers(plain).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect(error).toMatchObject({ status: 400, code: "PERSISTED_QUERY_ONLY" });
  });

  it("refuses an unknown id with 400 PERSISTED_QUERY_NOT_FOUND, and a document cannot register itself through APQ", async () => {
    const unknown = await post(url, { documentId: `sha256:${"0".repeat(64)}` }, token);
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");

    const hash = sha256(UNREGISTERED);
    const register = await post(url, { query: UNREGISTERED, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, token);
    expect(register.status).toBe(400);
    expect(register.json.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    const replay = await post(url, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, token);
    expect(replay.json.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    expect(replay.json.data).toBeUndefined();
  });

  it("still serves the invitation page's own operation, which it registers itself", async () => {
    const page = fs.readFileSync(path.join(projectRoot(), "src", "server", "playground", "invitation.js"), "utf8");
    const query = JSON.parse(/query:\s*("(?:[^"\\]|\\.)*")/.exec(page)![1]!) as string;
    const accepted = await post(url, { query, variables: { input: { invitationToken: "not-a-token", customerTenantId: crypto.randomUUID() } } });
    expect(accepted.status).toBe(200);
    expect(accepted.json.errors).toBeUndefined();
    expect(accepted.json.data.relationshipRequestAccept.userErrors.length).toBeGreaterThan(0);
  });

  it("keeps the other request checks: a batch is 400 BAD_REQUEST, no token on a registered read is 401", async () => {
    const batch = await post(url, [{ documentId: LIST_ID, variables: listVariables }], token);
    expect(batch.status).toBe(400);
    expect(batch.json.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
    const anonymous = await post(url, { documentId: LIST_ID, variables: listVariables });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("PERSISTED_OPERATIONS=allow", () => {
  let app: TestApp;
  let url: string;
  let token: string;

  beforeAll(async () => {
    app = await TestApp.start({ env: { PERSISTED_OPERATIONS: "allow", PERSISTED_OPERATIONS_MANIFEST: MANIFEST } });
    url = `${await app.url()}/graphql`;
    token = await app.token("contoso", PartnerRole.GLOBAL_ADMIN);
  });
  afterAll(() => app?.close());

  it("resolves registered ids and still runs any other document, Apollo's APQ included", async () => {
    const persisted = createClient({ url, token, persisted: true });
    const plain = createClient({ url, token });
    expect(await listAllCustomers(persisted, { pageSize: 500 })).toEqual(await listAllCustomers(plain, { pageSize: 500 }));

    const free = await post(url, { query: UNREGISTERED }, token);
    expect(free.status).toBe(200);
    expect(free.json.data.viewer.user.id).toEqual(expect.any(String));

    const hash = sha256(UNREGISTERED);
    expect((await post(url, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, token)).json.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    expect((await post(url, { query: UNREGISTERED, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, token)).json.data).toEqual(free.json.data);
    expect((await post(url, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, token)).json.data).toEqual(free.json.data);

    expect((await post(url, { documentId: `sha256:${"1".repeat(64)}` }, token)).json.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
  });
});

describe("PersistedOperations.load", () => {
  const schema = buildSchema(fs.readFileSync(path.join(projectRoot(), "schema.graphql"), "utf8"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "persisted-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return file;
  };

  it("reads codegen's manifest, several files, and Apollo's manifest format", () => {
    const text = "query Me { viewer { user { id } } }";
    const apollo = write("apollo.json", { format: "apollo-persisted-query-manifest", version: 1, operations: [{ id: sha256(text), name: "Me", type: "query", body: text }] });
    const { registry, stale } = PersistedOperations.load("only", [MANIFEST, apollo], schema);
    expect(stale).toEqual([]);
    expect(registry.size).toBe(Object.keys(manifest).length + 1 + 1); // plus the invitation page's document
    expect(registry.lookup(LIST_ID)).toBe(manifest[LIST_ID]);
    expect(registry.lookup(LIST_ID.slice(7).toUpperCase())).toBe(manifest[LIST_ID]);
    expect(registry.lookup(sha256(text))).toBe(text);
    expect(registry.lookup("sha256:nothex")).toBeUndefined();
    expect(registry.registers(manifest[LIST_ID]!)).toBe(true);
    expect(registry.registers(`${manifest[LIST_ID]!} `)).toBe(false);
  });

  it("refuses a missing manifest, an id that is not its document's hash, and a document that does not parse", () => {
    expect(() => PersistedOperations.load("only", [], schema)).toThrow(/needs PERSISTED_OPERATIONS_MANIFEST/);
    expect(() => PersistedOperations.load("only", [path.join(dir, "missing.json")], schema)).toThrow(PersistedManifestError);
    expect(() => PersistedOperations.load("only", [write("not-json.json", "{")], schema)).toThrow(/cannot read/);
    expect(() => PersistedOperations.load("only", [write("array.json", ["query { viewer { user { id } } }"])], schema)).toThrow(/expected a JSON object/);
    expect(() => PersistedOperations.load("only", [write("wrong.json", { [`sha256:${"a".repeat(64)}`]: UNREGISTERED })], schema)).toThrow(/is not the sha256 of its document/);
    const broken = "query {";
    expect(() => PersistedOperations.load("only", [write("broken.json", { [`sha256:${sha256(broken)}`]: broken })], schema)).toThrow(/does not parse/);
  });

  it("lists documents the schema no longer validates as stale instead of refusing to start", () => {
    const old = "{ viewer { user { fieldThatWasRemoved } } }";
    const { registry, stale } = PersistedOperations.load("allow", [write("stale.json", { [`sha256:${sha256(old)}`]: old })], schema);
    expect(stale).toEqual([expect.stringContaining(sha256(old))]);
    expect(registry.lookup(sha256(old))).toBe(old);
  });

  it("is off unless configured; an unknown mode is a configuration error; manifests are comma-separated paths", () => {
    expect(loadConfig({}).persistedOperations).toEqual({ mode: "off", manifests: [] });
    expect(loadConfig({ PERSISTED_OPERATIONS: "ONLY", PERSISTED_OPERATIONS_MANIFEST: `${MANIFEST}, /tmp/b.json` }).persistedOperations).toEqual({ mode: "only", manifests: [MANIFEST, "/tmp/b.json"] });
    expect(() => loadConfig({ PERSISTED_OPERATIONS: "strict" })).toThrow(/off, allow or only/);
  });

  it("the committed manifest holds the example client's documents under the hashes embedded in them", () => {
    expect(Object.keys(manifest)).toContain(`sha256:${sha256(manifest[LIST_ID]!)}`);
    expect((ListCustomersDocument as unknown as { __meta__: { hash: string } }).__meta__.hash).toBe(LIST_ID);
  });
});
