import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { type DocumentNode, print } from "graphql";

/**
 * A typed GraphQL-over-HTTP call with nothing but `fetch`: the document's types give the
 * variables the call needs and the shape of `data`. `persisted: true` sends only the
 * document's hash (`extensions.persistedQuery.sha256Hash`), as a server with
 * PERSISTED_OPERATIONS=only requires; otherwise the document text goes on the wire.
 */
export interface ClientOptions {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  /** A bearer token (`npm run --silent token -- --partner 1000001 --role GLOBAL_ADMIN`). */
  token?: string;
  /** Send the registered hash instead of the document text. */
  persisted?: boolean;
  fetch?: typeof fetch;
}

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** A response with top-level errors (HTTP 4xx/5xx, UNAUTHENTICATED, FORBIDDEN, THROTTLED, ...). */
export class GraphQLRequestError extends Error {
  constructor(
    readonly status: number,
    readonly errors: GraphQLErrorShape[],
  ) {
    super(errors.map((e) => `${e.extensions?.code ?? "ERROR"}: ${e.message}`).join("; ") || `HTTP ${status}`);
    this.name = "GraphQLRequestError";
  }

  /** The first error's code, e.g. "FORBIDDEN" or "PERSISTED_QUERY_NOT_FOUND". */
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

/** Variables are optional exactly when the operation declares none that are required. */
type VariablesArgs<TVariables> = Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables];

export type Client = <TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, ...variables: VariablesArgs<TVariables>) => Promise<TResult>;

/** The hash codegen's client preset embeds in every document (`persistedDocuments: true`), without its `sha256:` prefix. */
export function documentHash(document: DocumentNode): string {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof hash !== "string") throw new Error("this document carries no hash: generate it with presetConfig.persistedDocuments");
  return hash.replace(/^sha256:/, "");
}

export function createClient(options: ClientOptions): Client {
  const send = options.fetch ?? fetch;
  async function request<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, ...[variables]: VariablesArgs<TVariables>): Promise<TResult> {
    const operationName = document.definitions.find((d) => d.kind === "OperationDefinition")?.name?.value;
    const body = options.persisted
      ? { operationName, variables, extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(document) } } }
      : { operationName, variables, query: print(document) };
    const response = await send(options.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      body: JSON.stringify(body),
    });
    const json = (await response.json().catch(() => ({}))) as { data?: TResult | null; errors?: GraphQLErrorShape[] };
    // partial data with errors (a FORBIDDEN field) is refused too: an example keeps one error path
    if (!response.ok || json.errors?.length || json.data == null) throw new GraphQLRequestError(response.status, json.errors ?? []);
    return json.data;
  }
  return request;
}
