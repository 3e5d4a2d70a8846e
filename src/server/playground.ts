import fs from "node:fs";
import path from "node:path";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Express } from "express";
import { projectRoot } from "../config";

const ASSET_DIR = path.join(projectRoot(), "src", "server", "playground");
const ASSETS: Record<string, { file: string; type: string }> = {
  "graphiql.min.js": { file: "vendor/graphiql.min.js", type: "text/javascript; charset=utf-8" },
  "graphiql.min.css": { file: "vendor/graphiql.min.css", type: "text/css; charset=utf-8" },
  "react.production.min.js": { file: "vendor/react.production.min.js", type: "text/javascript; charset=utf-8" },
  "react-dom.production.min.js": { file: "vendor/react-dom.production.min.js", type: "text/javascript; charset=utf-8" },
  "playground.js": { file: "playground.js", type: "text/javascript; charset=utf-8" },
};

export const DEFAULT_QUERY = `# partner-accounts-graphql playground
#
# 1. Get a token:  npm run --silent token -- --partner 1000001 --role GLOBAL_ADMIN
# 2. Paste it after "Bearer " in the Headers tab below, then reload the page
#    (or press the re-fetch schema button) so the docs and autocompletion load.
# 3. Run this query with the ▶ button (or Ctrl-Enter).

query FirstCustomers {
  viewer { user { email roles } partner { name mpnId type cloud } }
  customers(first: 5, orderBy: { field: COMPANY_NAME, direction: ASC }) {
    totalCount
    nodes {
      id
      companyName
      defaultDomain
      relationship { status establishedVia delegatedAdmin }
      billingProfile { email address { city country } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;

const DEFAULT_HEADERS = `{\n  "Authorization": "Bearer "\n}`;

function escapeJsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

export function playgroundHtml(endpoint = "/graphql"): string {
  const config = { endpoint, defaultQuery: DEFAULT_QUERY, defaultHeaders: DEFAULT_HEADERS };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>partner-accounts-graphql playground</title>
<link rel="stylesheet" href="/playground/assets/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading the playground…</div>
<script id="playground-config" type="application/json">${escapeJsonForScript(config)}</script>
<script src="/playground/assets/react.production.min.js"></script>
<script src="/playground/assets/react-dom.production.min.js"></script>
<script src="/playground/assets/graphiql.min.js"></script>
<script src="/playground/assets/playground.js"></script>
</body>
</html>
`;
}

/** Apollo shows this page for a browser's GET /graphql instead of its CDN-based landing page. */
export function playgroundLandingPage(): ApolloServerPlugin {
  const html = playgroundHtml();
  return {
    async serverWillStart() {
      return { async renderLandingPage() { return { html }; } };
    },
  };
}

/** GET /playground and the assets the page loads, all from this server. */
export function mountPlayground(app: Express): void {
  const cache = new Map<string, Buffer>();
  app.get("/playground", (_req, res) => {
    res.type("html").send(playgroundHtml());
  });
  app.get("/playground/assets/:name", (req, res) => {
    const asset = ASSETS[req.params.name];
    if (!asset) {
      res.status(404).type("text").send("not found");
      return;
    }
    let body = cache.get(asset.file);
    if (!body) {
      body = fs.readFileSync(path.join(ASSET_DIR, asset.file));
      cache.set(asset.file, body);
    }
    res.setHeader("Content-Type", asset.type);
    res.setHeader("Cache-Control", "public, max-age=3600");
    res.send(body);
  });
}
