import type { ApolloServerOptionsWithGateway } from "@apollo/server";
import { DocumentNode, execute, ExecutionResult, GraphQLError, GraphQLSchema, isEnumType, OperationDefinitionNode } from "graphql";
import { compileQuery, CompiledQuery, isCompiledQuery } from "graphql-jit";
import type { RequestContext } from "../auth/context";
import type { FieldRule } from "../auth/permissions";
import { objectFieldRules, objectRulesAllow, rootChecksOnly } from "../auth/shield";
import { ByteLru } from "./caches";

type Gateway = ApolloServerOptionsWithGateway<RequestContext>["gateway"];
type Executor = NonNullable<Awaited<ReturnType<Gateway["load"]>>["executor"]>;

/**
 * graphql-jit raises its own GraphQLError (a function whose prototype is graphql-js's): `extensions` is undefined when
 * the thrown error had none, which Apollo's error normaliser reads without a guard (`extensions.code`), so a plain
 * Error would be answered "Internal server error" without formatError ever seeing it. Re-raise each as graphql-js's.
 */
export function asGraphQLError(error: GraphQLError): GraphQLError {
  if (Object.getPrototypeOf(error) === GraphQLError.prototype) return error;
  const original = error.originalError ?? undefined;
  const rebuilt = new GraphQLError(error.message, { path: error.path, originalError: original, extensions: error.extensions ?? undefined });
  // graphql-jit gives locations already computed (no nodes or source to compute them from)
  if (error.locations) Object.defineProperty(rebuilt, "locations", { value: error.locations, enumerable: true });
  return rebuilt;
}

/**
 * Whether graphql-jit may write the values of built-in scalars and enums as the resolvers return them
 * (`disableLeafSerialization`): true when every enum of the schema is its own name inside (type-graphql's string
 * enums), so that serializing changes nothing a resolver of this schema can return. graphql-jit otherwise calls a
 * serializer per leaf with that field's path and locations built as arrays for each call (measured on workload (a):
 * 6% of what a request allocated). Custom scalars (DateTime, JSON) are serialized either way.
 */
export function leavesSerializeAsReturned(schema: GraphQLSchema): boolean {
  return Object.values(schema.getTypeMap()).every((type) => !isEnumType(type) || type.getValues().every((value) => value.value === value.name));
}

/** A compiled query with the validated document and operation it was compiled from (`CompiledQueryCache.hot`). */
export interface CompiledOperation {
  compiled: CompiledQuery;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /**
   * The same operation compiled against the schema without object fields' permission checks (shield.ts's
   * `rootChecksOnly`), for a caller whose roles pass every rule in `objectRules`. Compiled on the second such
   * execution ("unused" before the first, "wanted" after it, which ran checked): never in the execution that
   * compiled `compiled`, so no execution blocks the event loop for two compilations. Null when the schema has no
   * such variant, the document reaches no guarded object field, or graphql-jit refused it.
   */
  rootChecksOnly: CompiledQuery | null | "unused" | "wanted";
  /** The rules of the guarded object fields the document can select (shield.ts's `objectFieldRules`). */
  objectRules: ReadonlySet<FieldRule>;
}

/**
 * The cache key of a document's operation: its text and the operation's name. Unambiguous (the text may hold a NUL,
 * in a comment) because a name never does: Apollo resolved the operation before its executor, and the fast lane
 * takes only names of GraphQL's grammar.
 */
function keyOf(source: string, operationName: string | null | undefined): string {
  return `${source}\0${operationName ?? ""}`;
}

/**
 * Compiled queries per (query text, operation name), in the one byte-bounded LRU
 * (`ByteLru`). A compiled query holds roughly a hundred times its document's
 * text (measured: a 600-byte list query about 39 KiB, a 20 KB one about 1.9 MB),
 * which is the size charged. A document is compiled on its second execution
 * only (one-off documents stay on graphql-js), and only up to `maxSourceBytes`:
 * compiling blocks the event loop (about 86 ms for 20 KB; its unchecked variant is a second compilation, on a later
 * execution), so a caller cannot
 * stall the server with large documents.
 */
export class CompiledQueryCache {
  private readonly compiled: ByteLru<CompiledOperation>;
  /** Documents seen once, awaiting a second execution. */
  private readonly seenOnce: ByteLru<true>;
  compilations = 0;
  /** Executions handed back to graphql-js because graphql-jit refused variables graphql-js had accepted. */
  fallbacks = 0;
  /** Executions on the variant without object fields' checks (the caller's roles pass all of them). */
  uncheckedRuns = 0;

  constructor(
    readonly maxBytes: number,
    readonly maxSourceBytes: number,
  ) {
    this.compiled = new ByteLru(maxBytes);
    this.seenOnce = new ByteLru(Math.max(1, Math.floor(maxBytes / 64)));
  }

  get size(): number {
    return this.compiled.size;
  }

  get bytes(): number {
    return this.compiled.bytes;
  }

  /** The compiled query, compiling it now if this is its second sight; null when it runs on graphql-js. */
  lookup(source: string, operationName: string | null | undefined, compile: () => CompiledOperation | null): CompiledOperation | null {
    const key = keyOf(source, operationName);
    const hit = this.compiled.get(key);
    if (hit) return hit;
    const sourceBytes = Buffer.byteLength(source);
    if (sourceBytes > this.maxSourceBytes) return null;
    if (!this.seenOnce.get(key)) {
      this.seenOnce.set(key, true, key.length + 16);
      return null;
    }
    this.seenOnce.delete(key);
    const compiled = compile();
    if (!compiled) return null;
    this.compilations++;
    this.compiled.set(key, compiled, key.length + 100 * sourceBytes * (compiled.rootChecksOnly === null ? 1 : 2));
    return compiled;
  }

  /** An operation compiled already (a validated document seen twice), without compiling or counting a sight. */
  hot(source: string, operationName: string | null | undefined): CompiledOperation | undefined {
    return this.compiled.get(keyOf(source, operationName));
  }
}

/**
 * A "gateway" for Apollo Server whose executor runs query operations of authenticated callers through graphql-jit
 * (compiled once per document and operation name), everything else (mutations, subscriptions, anonymous callers)
 * through graphql-js's execute. Apollo still parses, validates, caches documents (documentStore), runs every plugin
 * hook and formats errors; only the call to `execute` is replaced.
 */
/** Runs a compiled operation: graphql-jit, or graphql-js when graphql-jit refuses variables that graphql-js accepts. */
export type RunCompiled = (entry: CompiledOperation, contextValue: RequestContext, variables: Record<string, unknown>, operationName: string | null | undefined) => Promise<ExecutionResult>;

export function jitGateway(schema: GraphQLSchema, options: { maxBytes: number; maxSourceBytes: number }): { gateway: Gateway; cache: CompiledQueryCache; run: RunCompiled } {
  const cache = new CompiledQueryCache(options.maxBytes, options.maxSourceBytes);
  const unchecked = rootChecksOnly(schema);
  const compilerOptions = { disableLeafSerialization: leavesSerializeAsReturned(schema) };
  const compile = (document: DocumentNode, operation: OperationDefinitionNode, operationName: string | null | undefined): CompiledOperation | null => {
    const compiled = compileQuery(schema, document, operationName ?? undefined, compilerOptions);
    if (!isCompiledQuery(compiled)) return null;
    const objectRules: ReadonlySet<FieldRule> = unchecked ? objectFieldRules(schema, document) : new Set();
    return { compiled, document, operation, objectRules, rootChecksOnly: unchecked && objectRules.size > 0 ? "unused" : null };
  };
  const run: RunCompiled = async (entry, contextValue, variables, operationName) => {
    let query = entry.compiled;
    if (entry.rootChecksOnly !== null && contextValue.viewer !== null && objectRulesAllow(contextValue.viewer.roles, entry.objectRules)) {
      if (entry.rootChecksOnly === "unused") entry.rootChecksOnly = "wanted";
      else if (entry.rootChecksOnly === "wanted") {
        const variant = compileQuery(unchecked!, entry.document, operationName ?? undefined, compilerOptions);
        entry.rootChecksOnly = isCompiledQuery(variant) ? variant : null;
      }
      if (entry.rootChecksOnly !== null && typeof entry.rootChecksOnly !== "string") {
        query = entry.rootChecksOnly;
        cache.uncheckedRuns++;
      }
    }
    const result: ExecutionResult = await query.query(undefined, contextValue, variables);
    if (!result.errors) return result;
    if (!("data" in result)) {
      // no data: graphql-jit refused variables graphql-js accepted (admission checked them); its coercion differs
      // (it requires an omitted non-null input field that has a default, e.g. CustomerOrder.direction)
      cache.fallbacks++;
      return execute({ schema, document: entry.document, contextValue, variableValues: variables, operationName });
    }
    return { ...result, errors: result.errors.map(asGraphQLError) };
  };
  const executor: Executor = async (requestContext) => {
    const { document, operation, request, source } = requestContext;
    const contextValue = requestContext.context as RequestContext;
    const variables = request.variables ?? {};
    // only authenticated callers fill the cache (as with parsed documents): anonymous traffic can neither fill nor evict it
    const entry =
      operation?.operation === "query" && contextValue.viewer && source !== undefined
        ? cache.lookup(source, request.operationName, () => compile(document, operation, request.operationName))
        : null;
    if (!entry) return execute({ schema, document, contextValue, variableValues: variables, operationName: request.operationName });
    return run(entry, contextValue, variables, request.operationName);
  };
  const gateway: Gateway = {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      // Apollo validates against apiSchema; coreSupergraphSdl is read only by the (unused) schema reporting plugin
      callback({ apiSchema: schema, coreSupergraphSdl: "" });
      return () => {};
    },
    async stop() {},
  };
  return { gateway, cache, run };
}
