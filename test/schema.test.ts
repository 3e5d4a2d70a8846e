import fs from "node:fs";
import path from "node:path";
import { buildBareSchema, printSortedSchema } from "../src/graphql/schema";

describe("schema.graphql", () => {
  it("matches the schema the code builds (run `npm run schema:emit` after changing types)", async () => {
    const committed = fs.readFileSync(path.join(__dirname, "..", "schema.graphql"), "utf8");
    expect(printSortedSchema(await buildBareSchema())).toBe(committed);
  });
});
