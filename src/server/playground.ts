import fs from "node:fs";
import path from "node:path";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Express } from "express";
import { projectRoot } from "../config";

const ASSET_DIR = path.join(projectRoot(), "src", "server", "playground");
/** A Map: the name comes from the URL (`/playground/assets/constructor` must be a 404). */
const ASSETS = new Map<string, { file: string; type: string }>([
  ["graphiql.min.js", { file: "vendor/graphiql.min.js", type: "text/javascript; charset=utf-8" }],
  ["graphiql.min.css", { file: "vendor/graphiql.min.css", type: "text/css; charset=utf-8" }],
  ["react.production.min.js", { file: "vendor/react.production.min.js", type: "text/javascript; charset=utf-8" }],
  ["react-dom.production.min.js", { file: "vendor/react-dom.production.min.js", type: "text/javascript; charset=utf-8" }],
  ["playground.js", { file: "playground.js", type: "text/javascript; charset=utf-8" }],
  ["invitation.js", { file: "invitation.js", type: "text/javascript; charset=utf-8" }],
]);

/** The page an invitation URL opens: the customer's admin enters the tenant id and accepts. */
export const INVITATION_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Accept a partner's invitation</title>
<style>body { font: 16px/1.5 system-ui, sans-serif; max-width: 40em; margin: 3em auto; padding: 0 1em; } input { width: 100%; font: inherit; padding: .3em; } pre { white-space: pre-wrap; }</style>
</head>
<body>
<h1>Accept a partner's invitation</h1>
<p>A cloud partner invited your organisation to work with it. As your directory's administrator, enter your tenant id to accept.</p>
<form id="accept">
<label for="tenant">Tenant id (a GUID)</label>
<input id="tenant" name="tenant" required pattern="[0-9a-fA-F-]{36}" placeholder="00000000-0000-0000-0000-000000000000">
<p><button type="submit">Accept the invitation</button></p>
</form>
<pre id="result" role="status"></pre>
<script src="/playground/assets/invitation.js"></script>
</body>
</html>
`;

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

/** GET /playground, the invitation page and the assets they load, all from this server. */
export function mountPlayground(app: Express): void {
  const cache = new Map<string, Buffer>();
  app.get("/playground", (_req, res) => {
    res.type("html").send(playgroundHtml());
  });
  app.get("/invitations/accept", (_req, res) => {
    res.type("html").send(INVITATION_PAGE);
  });
  app.get("/playground/assets/:name", (req, res) => {
    const asset = ASSETS.get(req.params.name);
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
