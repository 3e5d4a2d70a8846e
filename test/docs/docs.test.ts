import fs from "node:fs";
import path from "node:path";
import { GraphQLSchema, Kind, ObjectTypeDefinitionNode, OperationDefinitionNode, parse, validate } from "graphql";
import { CAPABILITIES } from "../../src/auth/permissions";
import { ALL_ROLES } from "../../src/auth/roles";
import { DEMO_PARTNERS } from "../../src/db/seed/demo-data";
import { UserErrorCode } from "../../src/graphql/errors";
import { buildBareSchema } from "../../src/graphql/schema";
import { EXAMPLES_DIR, ExampleOperation, loadExamples, parseExample } from "../../src/server/examples";
import { PartnerKey, TestApp } from "../support/harness";

/**
 * The docs in docs/ stay true: every root field is documented, every example
 * operation is shown verbatim and runs against the demo data as the caller it
 * names, and nothing links outside the repository.
 */

const ROOT = path.join(__dirname, "..", "..");
const DOCS = path.join(ROOT, "docs");
const read = (file: string) => fs.readFileSync(file, "utf8");
const apiDoc = () => read(path.join(DOCS, "api.md"));

/** Every Markdown file under docs/ (recursively). */
function docsMarkdown(dir = DOCS): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return docsMarkdown(full);
    return entry.name.endsWith(".md") ? [full] : [];
  });
}

/** The `<!-- example: NAME -->` markers of a Markdown text, each with the fenced block that follows it (null when none does). */
function exampleBlocks(markdown: string): { name: string; block: string | null }[] {
  const lines = markdown.split("\n");
  const found: { name: string; block: string | null }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = /^<!--\s*example:\s*(\S+)\s*-->\s*$/.exec(lines[i]!);
    if (!marker) continue;
    let block: string | null = null;
    if (lines[i + 1] === "```graphql") {
      const end = lines.indexOf("```", i + 2);
      if (end > 0) block = lines.slice(i + 2, end).join("\n") + "\n";
    }
    found.push({ name: marker[1]!, block });
  }
  return found;
}

/** Root fields by root type, read from the committed schema.graphql (root type names as the code builds them). */
function rootFields(schema: GraphQLSchema): Map<string, string[]> {
  const sdl = parse(read(path.join(ROOT, "schema.graphql")));
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t) => t != null).map((t) => t!.name);
  const fields = new Map<string, string[]>();
  for (const definition of sdl.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION || !roots.includes(definition.name.value)) continue;
    fields.set(definition.name.value, ((definition as ObjectTypeDefinitionNode).fields ?? []).map((f) => f.name.value));
  }
  return fields;
}

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildBareSchema();
});

describe("docs/api.md documents the whole schema", () => {
  it("names every root Query and Mutation field (and Subscription field, if any) in backticks under a heading or bullet of its own", () => {
    const doc = apiDoc();
    const fields = rootFields(schema);
    expect([...fields.keys()]).toEqual(expect.arrayContaining(["Query", "Mutation"]));
    const missing: string[] = [];
    for (const [type, names] of fields) {
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        const entry = new RegExp(`^\\s*(#{2,6}|[-*])\\s.*\`${name}\``, "m");
        if (!entry.test(doc)) missing.push(`${type}.${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("every ```graphql block of the docs parses, and every operation among them is valid against the schema", () => {
    const checked: string[] = [];
    for (const file of docsMarkdown()) {
      for (const match of read(file).matchAll(/^```graphql\n([\s\S]*?)^```$/gm)) {
        const where = `${path.relative(ROOT, file)}: ${match[1]!.split("\n").find((line) => line && !line.startsWith("#"))}`;
        const document = parse(match[1]!);
        if (document.definitions.every((d) => d.kind === Kind.OPERATION_DEFINITION)) {
          expect([where, validate(schema, document).map((e) => e.message)]).toEqual([where, []]);
        }
        checked.push(where);
      }
    }
    expect(checked.length).toBeGreaterThan(30);
  });

  it("docs/domain.md explains every user error code", () => {
    const doc = read(path.join(DOCS, "domain.md"));
    expect(Object.values(UserErrorCode).filter((code) => !new RegExp(`^\\|\\s*\`${code}\`\\s*\\|`, "m").test(doc))).toEqual([]);
  });

  it("names every role and every capability of the role matrix", () => {
    const doc = apiDoc();
    for (const role of ALL_ROLES) expect([role, doc.includes(`\`${role}\``)]).toEqual([role, true]);
    for (const capability of Object.keys(CAPABILITIES)) expect([capability, doc.includes(`\`${capability}\``)]).toEqual([capability, true]);
  });
});

describe("docs/examples", () => {
  const files = fs.existsSync(EXAMPLES_DIR) ? fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith(".graphql")).sort() : [];

  it("holds 15 to 30 examples named NN-some-name.graphql, in a numbered order without gaps", () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(files.length).toBeLessThanOrEqual(30);
    files.forEach((file, index) => {
      expect(file).toMatch(/^\d{2}-[a-z0-9]+(-[a-z0-9]+)*\.graphql$/);
      expect(Number(file.slice(0, 2))).toBe(index + 1);
    });
    expect(fs.readdirSync(EXAMPLES_DIR).filter((f) => !f.endsWith(".graphql"))).toEqual([]);
  });

  it("every file parses: a demo partner, known roles, JSON variables and one valid operation of the schema", () => {
    const partners = DEMO_PARTNERS.map((p) => p.key);
    const examples = loadExamples();
    expect(examples.map((e) => `${e.name}.graphql`)).toEqual(files);
    for (const example of examples) {
      expect([example.name, partners.includes(example.partner)]).toEqual([example.name, true]);
      const document = parse(example.query);
      const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      expect([example.name, operations.length]).toEqual([example.name, 1]);
      expect([example.name, validate(schema, document).map((e) => e.message)]).toEqual([example.name, []]);
    }
  });

  it("the parser refuses a file without a title, partner or roles, with an unknown role or with variables that are not JSON", () => {
    const body = "query Q { viewer { user { id } } }";
    expect(() => parseExample("x", `# partner: contoso\n# roles: SALES_AGENT\n${body}`)).toThrow(/title/);
    expect(() => parseExample("x", `# title: T\n# roles: SALES_AGENT\n${body}`)).toThrow(/partner/);
    expect(() => parseExample("x", `# title: T\n# partner: contoso\n${body}`)).toThrow(/roles/);
    expect(() => parseExample("x", `# title: T\n# partner: contoso\n# roles: SALES_AGENT, JANITOR\n${body}`)).toThrow(/JANITOR/);
    expect(() => parseExample("x", `# title: T\n# partner: contoso\n# roles: SALES_AGENT\n# variables: {first: 1}\n${body}`)).toThrow(/JSON/);
    expect(parseExample("x", `# title: T\n# partner: contoso\n# roles: SALES_AGENT, BILLING_ADMIN\n# variables: {"first": 1}\n${body}\n`)).toEqual({
      name: "x",
      title: "T",
      partner: "contoso",
      roles: ["SALES_AGENT", "BILLING_ADMIN"],
      variables: { first: 1 },
      query: body,
    });
  });

  it("every `<!-- example: X -->` block in the docs is the text of docs/examples/X.graphql, and docs/api.md shows every example", () => {
    const shownInApi = new Set<string>();
    for (const file of docsMarkdown()) {
      for (const { name, block } of exampleBlocks(read(file))) {
        const where = `${path.relative(ROOT, file)}: example ${name}`;
        const source = path.join(EXAMPLES_DIR, `${name}.graphql`);
        expect([where, fs.existsSync(source)]).toEqual([where, true]);
        expect([where, block]).toEqual([where, read(source)]);
        if (path.basename(file) === "api.md" && path.dirname(file) === DOCS) shownInApi.add(name);
      }
    }
    expect(files.map((f) => f.slice(0, -".graphql".length)).filter((name) => !shownInApi.has(name))).toEqual([]);
  });
});

describe("every example runs against the demo data, in file order on one fresh database", () => {
  const examples: ExampleOperation[] = loadExamples();
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("there are examples to run", () => {
    expect(examples.length).toBeGreaterThanOrEqual(15);
  });

  for (const example of examples) {
    it(`${example.name}: ${example.title} (${example.partner}, ${example.roles.join(", ")})`, async () => {
      const result = await app.as(example.partner as PartnerKey, ...example.roles).run(example.query, example.variables);
      expect(result.errors).toBeUndefined();
      expect(result.data).toBeDefined();
      const operation = parse(example.query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
      const roots = Object.entries(result.data as Record<string, unknown>);
      expect(roots.length).toBeGreaterThan(0);
      // a null root is a FORBIDDEN field or an id the caller cannot see: an example should show something
      for (const [field, value] of roots) expect([field, value]).not.toEqual([field, null]);
      if (operation.operation !== "mutation") return;
      const userErrors = roots.map(([field, payload]) => {
        const errors = (payload as { userErrors?: unknown }).userErrors;
        expect([field, Array.isArray(errors)]).toEqual([field, true]); // a mutation example selects userErrors
        return errors as { code: string }[];
      });
      if (/userError/i.test(example.title)) expect(userErrors.flat().length).toBeGreaterThan(0);
      else expect(userErrors.flat()).toEqual([]);
    });
  }
});

describe("the docs stand alone", () => {
  const markdown = [...docsMarkdown(), path.join(ROOT, "README.md")];
  const examples = fs.existsSync(EXAMPLES_DIR) ? fs.readdirSync(EXAMPLES_DIR).map((f) => path.join(EXAMPLES_DIR, f)) : [];

  it("docs/README.md, api.md, domain.md and operations.md exist, and the README links the docs", () => {
    for (const name of ["README.md", "api.md", "domain.md", "operations.md"]) expect([name, fs.existsSync(path.join(DOCS, name))]).toEqual([name, true]);
    const readme = read(path.join(ROOT, "README.md"));
    for (const link of ["docs/README.md", "docs/api.md", "docs/domain.md", "docs/operations.md"]) expect(readme).toContain(`(${link})`);
  });

  it("no file in docs/ nor README.md refers to a path outside the repository", () => {
    for (const file of [...markdown, ...examples]) {
      const text = read(file);
      const where = path.relative(ROOT, file);
      for (const outside of ["../shared", "/work/", "shared/API.md", "shared/DOMAIN.md"]) expect([where, outside, text.includes(outside)]).toEqual([where, outside, false]);
    }
  });

  it("every relative link of docs/ and README.md resolves to a file of the repository", () => {
    const broken: string[] = [];
    for (const file of markdown) {
      const text = read(file).replace(/```[\s\S]*?```/g, ""); // code blocks hold no links
      for (const match of text.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = match[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue; // URLs and anchors in the same page
        const resolved = path.resolve(path.dirname(file), decodeURIComponent(target.split("#")[0]!));
        const inside = !path.relative(ROOT, resolved).startsWith("..");
        if (!inside || !fs.existsSync(resolved)) broken.push(`${path.relative(ROOT, file)} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("docs/operations.md", () => {
  it("documents every environment variable src/config.ts reads", () => {
    const config = read(path.join(ROOT, "src", "config.ts"));
    const names = [...new Set([...config.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!))];
    expect(names.length).toBeGreaterThan(20);
    const doc = read(path.join(DOCS, "operations.md"));
    expect(names.filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
  });
});
