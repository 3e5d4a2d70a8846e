import fs from "node:fs";
import path from "node:path";
import type { ApolloServerPlugin } from "@apollo/server";
import express, { Express, NextFunction, Request, Response } from "express";
import { DemoCallerError, demoCaller, signDemoToken } from "../auth/demo-tokens";
import { ALL_ROLES } from "../auth/roles";
import type { TokenService } from "../auth/tokens";
import { Config, projectRoot } from "../config";
import { DEMO_PARTNERS } from "../db/seed/demo-data";
import { ExampleFormatError, loadExamples } from "./examples";

const ASSET_DIR = path.join(projectRoot(), "src", "server", "playground");
/** A Map: the name comes from the URL (`/playground/assets/constructor` must be a 404). */
const ASSETS = new Map<string, { file: string; type: string }>([
  ["graphiql.min.js", { file: "vendor/graphiql.min.js", type: "text/javascript; charset=utf-8" }],
  ["graphiql.min.css", { file: "vendor/graphiql.min.css", type: "text/css; charset=utf-8" }],
  ["react.production.min.js", { file: "vendor/react.production.min.js", type: "text/javascript; charset=utf-8" }],
  ["react-dom.production.min.js", { file: "vendor/react-dom.production.min.js", type: "text/javascript; charset=utf-8" }],
  ["graphiql-plugin-explorer.umd.js", { file: "vendor/graphiql-plugin-explorer.umd.js", type: "text/javascript; charset=utf-8" }],
  ["graphiql-plugin-explorer.css", { file: "vendor/graphiql-plugin-explorer.css", type: "text/css; charset=utf-8" }],
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
#    (In development the "Sign in & examples" panel on the left does both.)
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

export interface PlaygroundOptions {
  /** Mints the sign-in panel's tokens; null: no panel, and POST /playground/token answers 404. */
  signIn: TokenService | null;
}

/**
 * The sign-in panel hands out a token for any demo user and role, so it exists
 * in development and tests only, and only where this server signs its own
 * tokens (a shared secret, the way `npm run token` does), not an identity provider's.
 */
export function playgroundOptions(config: Config, tokens: TokenService): PlaygroundOptions {
  const ownKeys = !config.jwt.publicKey && !config.jwt.jwksUrl;
  return { signIn: config.env !== "production" && ownKeys ? tokens : null };
}

export function playgroundHtml(options: PlaygroundOptions, endpoint = "/graphql"): string {
  const signIn = options.signIn ? { tokenUrl: "/playground/token", partners: DEMO_PARTNERS.map(({ key, name, mpnId }) => ({ key, name, mpnId })), roles: ALL_ROLES } : null;
  const config = { endpoint, defaultQuery: DEFAULT_QUERY, defaultHeaders: DEFAULT_HEADERS, examplesUrl: "/playground/examples", signIn };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>partner-accounts-graphql playground</title>
<link rel="stylesheet" href="/playground/assets/graphiql.min.css">
<link rel="stylesheet" href="/playground/assets/graphiql-plugin-explorer.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }
.pg-pane { display: flex; flex-direction: column; gap: var(--px-12); overflow-y: auto; height: 100%; }
.pg-pane form, .pg-pane fieldset { display: flex; flex-direction: column; gap: var(--px-6); }
.pg-pane fieldset { border: 1px solid hsla(var(--color-neutral), var(--alpha-background-heavy)); border-radius: var(--border-radius-4); }
.pg-pane select, .pg-pane button { font: inherit; padding: var(--px-4); }
.pg-pane ul { list-style: none; margin: 0; padding: 0; }
.pg-pane li button { all: unset; cursor: pointer; display: block; padding: var(--px-4) 0; }
.pg-pane li button:hover { color: hsl(var(--color-primary)); }
.pg-pane small, .pg-note { color: hsla(var(--color-neutral), var(--alpha-secondary)); }
.pg-error { color: hsl(var(--color-error)); }</style>
</head>
<body>
<div id="graphiql">Loading the playground…</div>
<script id="playground-config" type="application/json">${escapeJsonForScript(config)}</script>
<script src="/playground/assets/react.production.min.js"></script>
<script src="/playground/assets/react-dom.production.min.js"></script>
<script src="/playground/assets/graphiql.min.js"></script>
<script src="/playground/assets/graphiql-plugin-explorer.umd.js"></script>
<script src="/playground/assets/playground.js"></script>
</body>
</html>
`;
}

/** Apollo shows this page for a browser's GET /graphql instead of its CDN-based landing page. */
export function playgroundLandingPage(options: PlaygroundOptions): ApolloServerPlugin {
  const html = playgroundHtml(options);
  return {
    async serverWillStart() {
      return { async renderLandingPage() { return { html }; } };
    },
  };
}

/** The sign-in panel's token: POST {"partner": "contoso", "roles": ["SALES_AGENT"]} → {"token": …}. */
async function signInToken(signIn: TokenService, req: Request, res: Response): Promise<void> {
  const body = req.body as { partner?: unknown; roles?: unknown } | undefined;
  const refuse = (message: string) => void res.status(400).json({ error: message });
  if (!body || typeof body !== "object" || Array.isArray(body)) return refuse('Send JSON (Content-Type: application/json): {"partner": "<key or MPN id>", "roles": ["<ROLE>", …]}.');
  if (typeof body.partner !== "string") return refuse("partner must be a demo partner's key or MPN id (a string).");
  if (!Array.isArray(body.roles) || !body.roles.every((role) => typeof role === "string")) return refuse("roles must be a list of role names.");
  try {
    const caller = demoCaller(body.partner, body.roles as string[]);
    const token = await signDemoToken(signIn, caller);
    const { key, name, mpnId } = caller.partner;
    res.setHeader("Cache-Control", "no-store");
    res.json({ token, partner: { key, name, mpnId }, roles: caller.roles, email: caller.user.email });
  } catch (error) {
    if (error instanceof DemoCallerError) return refuse(`${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`);
    throw error;
  }
}

/** GET /playground, the invitation page, the assets they load (all from this server), the examples and the sign-in token. */
export function mountPlayground(app: Express, options: PlaygroundOptions): void {
  const cache = new Map<string, Buffer>();
  app.get("/playground", (_req, res) => {
    res.type("html").send(playgroundHtml(options));
  });
  // read on each request: the docs' examples change while someone writes them, and there are a handful
  app.get("/playground/examples", (_req, res) => {
    try {
      res.json({ examples: loadExamples() });
    } catch (error) {
      if (!(error instanceof ExampleFormatError)) throw error;
      res.status(500).json({ examples: [], error: error.message });
    }
  });
  const { signIn } = options;
  if (!signIn) {
    app.post("/playground/token", (_req, res) => {
      res.status(404).json({ error: "Not found: the playground's sign-in exists in development only." });
    });
  } else {
    app.post(
      "/playground/token",
      // a cross-site form cannot send application/json without a CORS preflight, which this server never answers
      express.json({ limit: "4kb" }),
      (req: Request, res: Response, next: NextFunction) => void signInToken(signIn, req, res).catch(next),
      (error: Error & { status?: number }, _req: Request, res: Response, next: NextFunction) => {
        if (!error.status || error.status >= 500) return next(error);
        res.status(400).json({ error: 'The body is not valid JSON (or over 4 KB); send {"partner": "<key or MPN id>", "roles": ["<ROLE>", …]}.' });
      },
    );
  }
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
