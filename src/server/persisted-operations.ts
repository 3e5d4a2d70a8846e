import crypto from "node:crypto";
import fs from "node:fs";
import type { NextFunction, Request, Response } from "express";
import { GraphQLSchema, parse, validate } from "graphql";

/**
 * Registered (persisted) operations: documents known ahead of time, from manifests such as the one
 * GraphQL Code Generator's client preset writes (`persisted-documents.json`, `"sha256:<hex>": "<document>"`)
 * or Apollo's `persisted-query-manifest.json`. A request names one by
 * `extensions.persistedQuery.sha256Hash` (Apollo's APQ shape) or `documentId` ("sha256:<hex>", the
 * GraphQL-over-HTTP persisted documents appendix) and the server runs the registered text.
 *
 *   off    nothing changes (the default): any document runs, Apollo's own APQ cache included.
 *   allow  registered ids resolve from the manifests; any other document still runs (a rollout step).
 *   only   just registered documents: a free-form document is PERSISTED_QUERY_ONLY, an unknown id
 *          PERSISTED_QUERY_NOT_FOUND, both HTTP 400; Apollo's APQ registration is off.
 */
export type PersistedOperationsMode = "off" | "allow" | "only";

export const PERSISTED_OPERATIONS_MODES: readonly PersistedOperationsMode[] = ["off", "allow", "only"];

/**
 * Documents this server's own pages send, registered whatever the manifests hold: the
 * invitation page (src/server/playground/invitation.js) posts exactly this text.
 */
export const SERVER_DOCUMENTS: readonly string[] = [
  "mutation($input: RelationshipRequestAcceptInput!) { relationshipRequestAccept(input: $input) { relationshipRequest { id status } customer { id tenantId companyName } userErrors { field code message } } }",
];

export class PersistedManifestError extends Error {}

export const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

/** "sha256:<hex>" or "<hex>" → lower-case hex; null for anything else. */
export function hexOf(id: unknown): string | null {
  if (typeof id !== "string") return null;
  const match = /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(id);
  return match ? match[1]!.toLowerCase() : null;
}

/** The documents of one manifest file: codegen's `{ id: text }` or Apollo's `{ format, operations: [{ id, body }] }`. */
function entriesOf(file: string, json: unknown): [string, string][] {
  if (json && typeof json === "object" && !Array.isArray(json)) {
    const apollo = json as { format?: unknown; operations?: unknown };
    if (apollo.format === "apollo-persisted-query-manifest" && Array.isArray(apollo.operations)) {
      return apollo.operations.map((op: { id?: unknown; body?: unknown }, i) => {
        if (typeof op?.id !== "string" || typeof op.body !== "string") throw new PersistedManifestError(`${file}: operations[${i}] needs a string id and body`);
        return [op.id, op.body];
      });
    }
    return Object.entries(json).map(([id, text]) => {
      if (typeof text !== "string") throw new PersistedManifestError(`${file}: the entry ${id} is not a document string`);
      return [id, text];
    });
  }
  throw new PersistedManifestError(`${file}: expected a JSON object of "sha256:<hash>": "<document>"`);
}

export class PersistedOperations {
  /** Registered documents by the hex sha256 of their text. */
  private readonly documents = new Map<string, string>();

  private constructor(readonly mode: Exclude<PersistedOperationsMode, "off">) {}

  /**
   * Reads and checks the manifests: every id must be the sha256 of its text and every text must
   * parse. Documents the schema no longer validates are returned as `stale` (they would fail
   * with GRAPHQL_VALIDATION_FAILED when called) rather than refused, so one old entry does not
   * keep the server from starting.
   */
  static load(mode: Exclude<PersistedOperationsMode, "off">, files: readonly string[], schema: GraphQLSchema): { registry: PersistedOperations; stale: string[] } {
    if (files.length === 0) throw new PersistedManifestError(`PERSISTED_OPERATIONS=${mode} needs PERSISTED_OPERATIONS_MANIFEST (one or more manifest files, comma-separated)`);
    const registry = new PersistedOperations(mode);
    const stale: string[] = [];
    const add = (source: string, id: string | null, text: string) => {
      const hash = sha256(text);
      if (id !== null && hexOf(id) !== hash) throw new PersistedManifestError(`${source}: the id ${id} is not the sha256 of its document (${hash})`);
      let document;
      try {
        document = parse(text);
      } catch (error) {
        throw new PersistedManifestError(`${source}: the document ${id ?? hash} does not parse: ${(error as Error).message}`);
      }
      if (validate(schema, document).length > 0) stale.push(`${source}: sha256:${hash}`);
      registry.documents.set(hash, text);
    };
    for (const file of files) {
      let json: unknown;
      try {
        json = JSON.parse(fs.readFileSync(file, "utf8"));
      } catch (error) {
        throw new PersistedManifestError(`cannot read the persisted operations manifest ${file}: ${(error as Error).message}`);
      }
      for (const [id, text] of entriesOf(file, json)) add(file, id, text);
    }
    for (const text of SERVER_DOCUMENTS) add("server", null, text);
    return { registry, stale };
  }

  get size(): number {
    return this.documents.size;
  }

  /** The registered text for an id ("sha256:<hex>" or "<hex>"), if any. */
  lookup(id: string): string | undefined {
    const hex = hexOf(id);
    return hex ? this.documents.get(hex) : undefined;
  }

  /** Whether this exact text is registered (a client may send the manifest's text itself). */
  registers(text: string): boolean {
    return this.documents.has(sha256(text));
  }

  /**
   * Express middleware for /graphql, after the body is parsed and before anything reads the
   * document: a registered id becomes its text (the id and the APQ extension are dropped, so
   * Apollo runs the text as if it had been sent), and in `only` mode nothing else passes.
   */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (Array.isArray(req.body)) return next(); // a batch: the next handler refuses it
      const get = req.method === "GET";
      // the query string alone: `new URL` throws on paths such as `//a:99999`, which a caller may send
      const mark = req.url.indexOf("?");
      const params = get ? new URLSearchParams(mark < 0 ? "" : req.url.slice(mark + 1)) : null;
      const body = get ? null : ((req.body ?? {}) as Record<string, unknown>);
      let extensions: unknown = get ? params!.get("extensions") : body!.extensions;
      if (get && typeof extensions === "string") {
        try {
          extensions = JSON.parse(extensions);
        } catch {
          extensions = undefined; // Apollo answers malformed extensions itself
        }
      }
      const apq = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | null | undefined)?.persistedQuery;
      const documentId = get ? params!.get("documentId") : body!.documentId;
      const query = get ? params!.get("query") : body!.query;
      // allow mode leaves an unknown APQ hash to Apollo's own cache, which asks the client for the text
      const resolved = this.resolve({ query, documentId, apqHash: apq?.sha256Hash });
      if (resolved.kind === "refused") return refuse(res, resolved.code, resolved.message);
      if (resolved.kind === "registered") {
        const text = resolved.text;
        const { persistedQuery: _apq, ...otherExtensions } = (extensions && typeof extensions === "object" ? extensions : {}) as Record<string, unknown>;
        if (get) {
          params!.set("query", text);
          params!.delete("documentId");
          if (Object.keys(otherExtensions).length > 0) params!.set("extensions", JSON.stringify(otherExtensions));
          else params!.delete("extensions");
          // the path part as Express left it (the mount prefix is put back when the handler returns)
          req.url = `${req.url.split("?")[0]}?${params!.toString()}`;
        } else {
          const { documentId: _id, extensions: _extensions, ...rest } = body!;
          req.body = { ...rest, query: text, ...(Object.keys(otherExtensions).length > 0 ? { extensions: otherExtensions } : {}) };
        }
        return next();
      }
      next();
    };
  }

  /**
   * The policy itself, for any transport (the HTTP middleware above, a WebSocket subscribe
   * message): a registered id → its text; an unknown id → PERSISTED_QUERY_NOT_FOUND (in `allow`
   * mode an unknown APQ hash sent without documentId passes: over HTTP Apollo's own APQ cache
   * answers it); in `only` mode any text that is not registered → PERSISTED_QUERY_ONLY.
   */
  resolve(request: { query: unknown; documentId: unknown; apqHash: unknown }): PersistedResolution {
    const { query, documentId } = request;
    const id = documentId ?? request.apqHash;
    if (id !== undefined && id !== null) {
      const text = typeof id === "string" ? this.lookup(id) : undefined;
      if (text !== undefined) return { kind: "registered", text };
      if (this.mode === "allow" && documentId == null) return { kind: "pass" };
      return { kind: "refused", code: "PERSISTED_QUERY_NOT_FOUND", message: `No registered operation has the id ${JSON.stringify(id)}; register it in the persisted operations manifest.` };
    }
    if (this.mode === "only" && !(typeof query === "string" && this.registers(query))) {
      return {
        kind: "refused",
        code: "PERSISTED_QUERY_ONLY",
        message: "This server runs registered operations only: send extensions.persistedQuery.sha256Hash (or documentId) of an operation in its persisted operations manifest.",
      };
    }
    return { kind: "pass" };
  }
}

export type PersistedRefusalCode = "PERSISTED_QUERY_NOT_FOUND" | "PERSISTED_QUERY_ONLY";

/** What the policy makes of one request: run the registered text, run what was sent, or refuse. */
export type PersistedResolution = { kind: "registered"; text: string } | { kind: "pass" } | { kind: "refused"; code: PersistedRefusalCode; message: string };

function refuse(res: Response, code: PersistedRefusalCode, message: string): void {
  res.status(400).json({ errors: [{ message, extensions: { code } }] });
}
