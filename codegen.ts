import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * Typed documents for the example client (`npm run codegen`): the client preset reads the
 * committed schema.graphql and every `graphql(...)` call under examples/client, and writes
 * examples/client/gql/ (committed; test/codegen.test.ts fails when it is stale). CODEGEN_OUT
 * redirects the output (the test regenerates into a temporary folder).
 */
const out = process.env.CODEGEN_OUT ?? "examples/client/gql/";

const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["examples/client/**/*.ts", "!examples/client/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    [out.endsWith("/") ? out : `${out}/`]: {
      preset: "client",
      presetConfig: {
        // no fragments in the examples: plain result types, no useFragment helpers
        fragmentMasking: false,
        // persisted-documents.json (sha256 → document) for PERSISTED_OPERATIONS, and a hash on every document
        persistedDocuments: true,
      },
      config: {
        scalars: { DateTime: "string", JSON: "unknown" },
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
      },
    },
  },
};

export default config;
