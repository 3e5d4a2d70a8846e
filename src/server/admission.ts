import { DocumentNode, getOperationAST, GraphQLError, GraphQLErrorOptions, GraphQLSchema, isIntrospectionType, OperationDefinitionNode, parse, TypeInfo, validate, visit, visitWithTypeInfo } from "graphql";
import type { RequestContext } from "../auth/context";
import { ANONYMOUS_FIELDS } from "../auth/field-rules";
import type { QueryLimits } from "../config";
import { apiError } from "../graphql/errors";
import type { ByteLru } from "./caches";
import { nulCharacterError, variablesError } from "./input-guard";
import { costKey, documentShapeError, requestedCost, TooComplex, withinCostLimit } from "./limits";
import { hexOf, sha256, type PersistedOperations } from "./persisted-operations";
import type { CostBudget } from "./rate-limit";

/**
 * What an operation must pass before it runs, whatever carries it (HTTP through
 * Apollo in app.ts, a graphql-ws subscribe message in websocket.ts):
 *
 *   1. the persisted-operations policy (PERSISTED_OPERATIONS: a registered id → its text; `only`
 *      refuses any other document);
 *   2. the document's shape: tokens, depth, aliases, directives, fields (QUERY_TOO_COMPLEX);
 *   3. parse and validate (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED);
 *   4. the operation: the anonymous coordinates, the variables guard and the NUL guard
 *      (BAD_USER_INPUT), the cost limit (QUERY_TOO_COMPLEX) and the partner's cost budget
 *      (THROTTLED, with retryAfter).
 *
 * Apollo runs step 3 itself over HTTP (through its document store) and the HTTP path calls the
 * other steps at the points of its pipeline; `admit` runs all four in order for a transport that
 * has no Apollo in front of it. Either way the rules, codes and messages are these.
 */
export interface AdmissionDeps {
  schema: GraphQLSchema;
  /** Before a token is verified nothing is known of the caller: the limits depend on the context. */
  limitsFor(context: RequestContext): QueryLimits;
  /** Document shapes of authenticated callers, cached. */
  shapes: ByteLru<TooComplex | null> | null;
  /** The registry when PERSISTED_OPERATIONS is allow or only; null when off. */
  persisted: PersistedOperations | null;
  /** The per-partner cost budget (RATE_LIMIT_*): shared through Redis when REDIS_URL is set. */
  budget: CostBudget;
  /** Introspection without a token is allowed in development. */
  development: boolean;
}

/** An operation's request as a transport received it. */
export interface OperationRequest {
  query: unknown;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
  /** GraphQL-over-HTTP's persisted documents id ("sha256:<hex>"). */
  documentId?: unknown;
}

export interface Admitted {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
  /** The cost taken from the partner's budget (0 without a partner). */
  requested: number;
}

/** A top-level error with one of Apollo's request codes (not an ApiErrorCode: Apollo's own spelling). */
const requestError = (code: string, message: string, extra: GraphQLErrorOptions = {}) =>
  new GraphQLError(message, { ...extra, extensions: { code, ...extra.extensions } });

/**
 * Without a bearer token only the coordinates of ANONYMOUS_FIELDS may be
 * selected (plus introspection in development); returns the first other one.
 */
export function firstNonAnonymousField(schema: GraphQLSchema, document: DocumentNode, allowIntrospection: boolean): string | null {
  const typeInfo = new TypeInfo(schema);
  let found: string | null = null;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const name = node.name.value;
        if (found || !parent || name === "__typename") return;
        if (allowIntrospection && (name === "__schema" || name === "__type" || isIntrospectionType(parent))) return;
        const coordinate = `${parent.name}.${name}`;
        if (!ANONYMOUS_FIELDS.has(coordinate)) found = coordinate;
      },
    }),
  );
  return found;
}

/** Requested costs a document keeps (per operation and cost key); beyond, its entries start over. */
const COSTS_PER_DOCUMENT = 16;

export class Admission {
  /**
   * Requested costs per parsed document (a cached document is one object per text), by operation name and the
   * variables' cost key: the cost walk visits the whole document with type information, the largest part of
   * admitting an operation that was seen before (measured: 8% of the CPU of workload (b)).
   */
  private readonly costs = new WeakMap<DocumentNode, Map<string, number>>();

  constructor(private readonly deps: AdmissionDeps) {}

  /**
   * Step 1, the persisted-operations policy: the text to run, or the refusal
   * (PERSISTED_QUERY_NOT_FOUND, PERSISTED_QUERY_ONLY). Over HTTP the registry's
   * middleware applies the same `resolve` to the request body.
   */
  source(request: OperationRequest): string | GraphQLError {
    const apq = (request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
    const query = request.query;
    const persisted = this.deps.persisted;
    if (persisted) {
      const resolved = persisted.resolve({ query, documentId: request.documentId, apqHash: apq });
      if (resolved.kind === "refused") return requestError(resolved.code, resolved.message);
      if (resolved.kind === "registered") return resolved.text;
    }
    const text = typeof query === "string" ? query : "";
    // allow (or off) and an unknown hash: without Apollo's APQ cache the text must come along, and match the hash
    if (persisted && typeof apq === "string" && request.documentId == null) {
      if (text === "") return requestError("PERSISTED_QUERY_NOT_FOUND", `No registered operation has the id ${JSON.stringify(apq)}; register it in the persisted operations manifest.`);
      if (hexOf(apq) !== sha256(text)) return apiError("BAD_REQUEST", "provided sha does not match query");
    }
    return text;
  }

  /** Step 2: the document's shape against the caller's limits (QUERY_TOO_COMPLEX), before it is parsed. */
  shape(query: string, context: RequestContext): GraphQLError | null {
    return documentShapeError(query, this.deps.limitsFor(context), context.viewer ? this.deps.shapes : null);
  }

  /** Step 3: parse and validate against the schema. */
  parse(query: string): DocumentNode | GraphQLError[] {
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      const syntax = error instanceof GraphQLError ? error : null;
      return [requestError("GRAPHQL_PARSE_FAILED", error instanceof Error ? error.message : "The document does not parse.", { source: syntax?.source, positions: syntax?.positions })];
    }
    const invalid = validate(this.deps.schema, document);
    if (invalid.length > 0) return invalid.map((e) => requestError("GRAPHQL_VALIDATION_FAILED", e.message, { nodes: e.nodes }));
    return document;
  }

  /**
   * Step 4, once the operation is known: throws the refusal (a GraphQLError) or
   * returns the cost taken from the partner's budget, which `refund` gives back
   * when the operation does not run (or used less).
   */
  async operation(context: RequestContext, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): Promise<number> {
    const { schema } = this.deps;
    if (!context.viewer) {
      const denied = firstNonAnonymousField(schema, document, this.deps.development);
      if (denied) throw apiError("UNAUTHENTICATED", `A bearer token is required (Authorization: Bearer <JWT>) to read ${denied}.`);
    }
    const refused = variablesError(schema, operation, variables) ?? nulCharacterError(document, variables);
    if (refused) throw refused;
    const requested = withinCostLimit(this.cost(document, operation, variables), this.deps.limitsFor(context));
    const partnerId = context.viewer?.partnerId;
    if (partnerId) {
      const taken = await this.deps.budget.take(partnerId, requested);
      if (!taken.ok) throw apiError("THROTTLED", `Your partner's cost budget is spent; retry in ${taken.retryAfterSeconds} s.`, { retryAfter: taken.retryAfterSeconds });
    }
    return requested;
  }

  private cost(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
    const key = costKey(variables);
    if (key === null) return requestedCost(this.deps.schema, document, operation, variables);
    const entry = `${operation.name?.value ?? ""}\0${key}`;
    let costs = this.costs.get(document);
    if (!costs) this.costs.set(document, (costs = new Map()));
    let cost = costs.get(entry);
    if (cost === undefined) {
      cost = requestedCost(this.deps.schema, document, operation, variables);
      if (costs.size >= COSTS_PER_DOCUMENT) costs.clear();
      costs.set(entry, cost);
    }
    return cost;
  }

  /** Gives back `points` of the caller's partner's budget (nothing without a partner). */
  async refund(context: RequestContext, points: number): Promise<void> {
    const partnerId = context.viewer?.partnerId;
    if (partnerId && points > 0) await this.deps.budget.refund(partnerId, points);
  }

  /**
   * All four steps in order, for a transport without Apollo (the WebSocket):
   * the admitted operation, or the errors to answer. `accept` may refuse the
   * operation once it is known (e.g. a subscription only), before any budget
   * is taken.
   */
  async admit(context: RequestContext, request: OperationRequest, accept?: (operation: OperationDefinitionNode) => GraphQLError | null): Promise<Admitted | GraphQLError[]> {
    const query = this.source(request);
    if (query instanceof GraphQLError) return [query];
    const tooComplex = this.shape(query, context);
    if (tooComplex) return [tooComplex];
    const document = this.parse(query);
    if (Array.isArray(document)) return document;
    const operation = operationOf(document, request.operationName);
    if (operation instanceof GraphQLError) return [operation];
    const refused = accept?.(operation);
    if (refused) return [refused];
    const variables = request.variables ?? {};
    try {
      const requested = await this.operation(context, document, operation, variables);
      return { document, operation, variables, requested };
    } catch (error) {
      if (error instanceof GraphQLError) return [error];
      throw error;
    }
  }
}

/** The operation to run: the only one, or the one named. */
function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | GraphQLError {
  return getOperationAST(document, operationName) ?? apiError("BAD_REQUEST", "Name the operation to run (operationName).");
}
