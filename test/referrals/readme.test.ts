import fs from "node:fs";
import path from "node:path";
import { parse, validate } from "graphql";
import { buildBareSchema } from "../../src/graphql/schema";

/** The README's referral examples are valid operations of the schema. */
it("every example of 'Referrals in the playground' validates against the schema", async () => {
  const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Referrals in the playground"));
  const block = section.slice(section.indexOf("```graphql") + "```graphql".length, section.indexOf("```", section.indexOf("```graphql") + 3));
  const operations = block
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .join("\n")
    .split(/\n(?=mutation |\{ )/)
    .map((op) => op.trim())
    .filter(Boolean);
  expect(operations.length).toBeGreaterThanOrEqual(9);
  const schema = await buildBareSchema();
  for (const op of operations) {
    expect([op, validate(schema, parse(op)).map((e) => e.message)]).toEqual([op, []]);
  }
  for (const name of ["referralCreate", "referralAccept", "referralDecline", "referralClose", "referralAssign", "referrals("]) expect(block).toContain(name);
});
