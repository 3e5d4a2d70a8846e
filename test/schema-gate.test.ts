import fs from "node:fs";
import path from "node:path";
import { compareSdl, gateFailureMessage, gateNotes, GateResult } from "../src/cli/schema-gate";

/**
 * The schema change gate (docs/schema-changes.md): schema.graphql may not break clients of the last release,
 * schema.release.graphql, except by removing what that release had deprecated. Then the gate's rules on small schemas.
 */
describe("schema.graphql against the last release (schema.release.graphql)", () => {
  it("has no breaking change (deprecate first, or accept on purpose with `npm run schema:release`)", () => {
    const root = path.join(__dirname, "..");
    const result = compareSdl(fs.readFileSync(path.join(root, "schema.release.graphql"), "utf8"), fs.readFileSync(path.join(root, "schema.graphql"), "utf8"));
    const notes = gateNotes(result);
    if (notes.length > 0) console.info(`schema gate, for information:\n${notes.join("\n")}`);
    if (result.breaking.length > 0) throw new Error(gateFailureMessage(result));
    expect(result.breaking).toEqual([]);
  });
});

const RELEASE = `
  type Query {
    customer(id: ID!, includeRemoved: Boolean, legacyFilter: String @deprecated(reason: "Use includeRemoved.")): Customer
    customers(first: Int = 20, status: Status): [Customer!]!
    legacyReport: LegacyReport @deprecated(reason: "Use customers.")
    summary: Summary
  }
  type Customer {
    id: ID!
    companyName: String!
    fax: String @deprecated(reason: "Nobody sends faxes.")
    status: Status!
  }
  enum Status {
    ACTIVE
    REMOVED
    SUSPENDED @deprecated(reason: "Read ACTIVE.")
  }
  type LegacyReport { rows: [LegacyRow!]! }
  type LegacyRow { label: String! }
  type Summary { count: Int! }
  input CustomerInput {
    companyName: String!
    faxNumber: String @deprecated(reason: "Ignored.")
  }
  type Mutation { customerCreate(input: CustomerInput!): Customer }
`;

/** The release above with `edit` applied (each edit must change it). */
function changed(edit: (sdl: string) => string): GateResult {
  const current = edit(RELEASE);
  expect(current).not.toBe(RELEASE);
  return compareSdl(RELEASE, current);
}
const types = (changes: { type: string }[]) => changes.map((c) => c.type);

describe("the gate's rules", () => {
  it("an identical schema passes with nothing to report", () => {
    expect(compareSdl(RELEASE, RELEASE)).toEqual({ breaking: [], retired: [], dangerous: [] });
  });

  it("a removed field fails, and the message lists it and says how to proceed", () => {
    const result = changed((s) => s.replace("    companyName: String!\n    fax", "    fax"));
    expect(result.breaking).toEqual([{ type: "FIELD_REMOVED", description: "Customer.companyName was removed." }]);
    const message = gateFailureMessage(result);
    expect(message).toContain("  - FIELD_REMOVED: Customer.companyName was removed.");
    expect(message).toContain("@deprecated");
    expect(message).toContain("npm run schema:release");
  });

  it("a removed field that the release had deprecated passes (listed as retired)", () => {
    const result = changed((s) => s.replace(`    fax: String @deprecated(reason: "Nobody sends faxes.")\n`, ""));
    expect(result.breaking).toEqual([]);
    expect(result.retired).toEqual([{ type: "FIELD_REMOVED", description: "Customer.fax was removed." }]);
  });

  it("deprecating is not enough to retype: a deprecated field that changes type fails", () => {
    const result = changed((s) => s.replace(`fax: String @deprecated`, `fax: Int @deprecated`));
    expect(types(result.breaking)).toEqual(["FIELD_CHANGED_KIND"]);
  });

  it("an added optional field or argument passes; an optional input field or argument is dangerous, for information", () => {
    const output = changed((s) => s.replace("    status: Status!\n  }", "    status: Status!\n    website: String\n  }"));
    expect(output).toEqual({ breaking: [], retired: [], dangerous: [] });
    const input = changed((s) => s.replace("    companyName: String!\n    faxNumber", "    companyName: String!\n    website: String\n    faxNumber").replace("customers(first: Int = 20,", "customers(after: String, first: Int = 20,"));
    expect(input.breaking).toEqual([]);
    expect(types(input.dangerous).sort()).toEqual(["OPTIONAL_ARG_ADDED", "OPTIONAL_INPUT_FIELD_ADDED"]);
    expect(gateNotes(input)[0]).toMatch(/^dangerous changes/);
  });

  it("a required argument or input field added fails", () => {
    expect(types(changed((s) => s.replace("customers(first: Int = 20,", "customers(tenant: ID!, first: Int = 20,")).breaking)).toEqual(["REQUIRED_ARG_ADDED"]);
    expect(types(changed((s) => s.replace("    companyName: String!\n    faxNumber", "    companyName: String!\n    country: String!\n    faxNumber")).breaking)).toEqual([
      "REQUIRED_INPUT_FIELD_ADDED",
    ]);
  });

  it("a retyped argument fails", () => {
    const result = changed((s) => s.replace("customers(first: Int = 20,", "customers(first: String = \"20\","));
    expect(result.breaking).toEqual([{ type: "ARG_CHANGED_KIND", description: "Query.customers arg first has changed type from Int to String." }]);
  });

  it("a removed argument fails unless the release had deprecated it", () => {
    expect(changed((s) => s.replace("includeRemoved: Boolean, ", "")).breaking).toEqual([
      { type: "ARG_REMOVED", description: "Query.customer arg includeRemoved was removed." },
    ]);
    const deprecated = changed((s) => s.replace(`, legacyFilter: String @deprecated(reason: "Use includeRemoved.")`, ""));
    expect(deprecated.breaking).toEqual([]);
    expect(types(deprecated.retired)).toEqual(["ARG_REMOVED"]);
  });

  it("a removed enum value fails unless the release had deprecated it", () => {
    expect(changed((s) => s.replace("    REMOVED\n", "")).breaking).toEqual([{ type: "VALUE_REMOVED_FROM_ENUM", description: "REMOVED was removed from enum type Status." }]);
    const deprecated = changed((s) => s.replace(`    SUSPENDED @deprecated(reason: "Read ACTIVE.")\n`, ""));
    expect(deprecated).toEqual({ breaking: [], retired: [{ type: "VALUE_REMOVED_FROM_ENUM", description: "SUSPENDED was removed from enum type Status." }], dangerous: [] });
  });

  it("a removed input field passes only when the release had deprecated it", () => {
    expect(types(changed((s) => s.replace(`    faxNumber: String @deprecated(reason: "Ignored.")\n`, "")).retired)).toEqual(["FIELD_REMOVED"]);
    expect(changed((s) => s.replace("  input CustomerInput {\n    companyName: String!\n", "  input CustomerInput {\n")).breaking).toEqual([
      { type: "FIELD_REMOVED", description: "CustomerInput.companyName was removed." },
    ]);
  });

  it("a removed type fails while something the release did not deprecate still used it", () => {
    const result = changed((s) => s.replace("    summary: Summary\n", "").replace("  type Summary { count: Int! }\n", ""));
    expect(result.breaking).toEqual([
      { type: "TYPE_REMOVED", description: "Summary was removed." },
      { type: "FIELD_REMOVED", description: "Query.summary was removed." },
    ]);
  });

  it("types reachable only through a deprecated field go with it", () => {
    const result = changed((s) =>
      s
        .replace(`    legacyReport: LegacyReport @deprecated(reason: "Use customers.")\n`, "")
        .replace("  type LegacyReport { rows: [LegacyRow!]! }\n  type LegacyRow { label: String! }\n", ""),
    );
    expect(result.breaking).toEqual([]);
    expect(result.retired.map((c) => c.description).sort()).toEqual(["LegacyReport was removed.", "LegacyRow was removed.", "Query.legacyReport was removed."]);
  });

  it("a type used elsewhere stays required even when one deprecated field that used it goes", () => {
    const release = RELEASE.replace("    summary: Summary\n", "    summary: Summary\n    rows: [LegacyRow!]\n");
    const current = release
      .replace(`    legacyReport: LegacyReport @deprecated(reason: "Use customers.")\n`, "")
      .replace("    rows: [LegacyRow!]\n", "")
      .replace("  type LegacyReport { rows: [LegacyRow!]! }\n  type LegacyRow { label: String! }\n", "");
    const result = compareSdl(release, current);
    expect(result.breaking).toEqual([
      { type: "TYPE_REMOVED", description: "LegacyRow was removed." },
      { type: "FIELD_REMOVED", description: "Query.rows was removed." },
    ]);
    expect(result.retired.map((c) => c.description).sort()).toEqual(["LegacyReport was removed.", "Query.legacyReport was removed."]);
  });

  it("a removed union member or implemented interface fails", () => {
    const withUnion = `type Query { hit: Hit }\nunion Hit = A | B\ntype A { a: Int }\ntype B { b: Int }\n`;
    expect(types(compareSdl(withUnion, withUnion.replace("union Hit = A | B", "union Hit = A").replace("type B { b: Int }\n", "type B { b: Int }\ntype Query2 { b: B }\n")).breaking)).toEqual([
      "TYPE_REMOVED_FROM_UNION",
    ]);
    const withInterface = `type Query { node: Node a: A }\ninterface Node { id: ID! }\ntype A implements Node { id: ID! }\n`;
    expect(types(compareSdl(withInterface, withInterface.replace("type A implements Node", "type A")).breaking)).toEqual(["IMPLEMENTED_INTERFACE_REMOVED"]);
  });
});
