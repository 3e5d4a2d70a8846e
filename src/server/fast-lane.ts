import { performance } from "node:perf_hooks";
import type { NextFunction, Request, Response } from "express";
import { GraphQLError, GraphQLFormattedError } from "graphql";
import type { RequestContext } from "../auth/context";
import type { Admission } from "./admission";
import { CompiledQueryCache, RunCompiled } from "./jit";
import type { Metrics } from "./metrics";
import { operationAnswered, operationResolved } from "./observability";
import type { PartnerConcurrency } from "./partner-concurrency";

/** An operation's result as it is sent (errors formatted). */
export interface AnsweredResult {
  data?: unknown;
  errors?: readonly GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
}

/** Where `settle` puts the status and headers of an answer. */
export interface AnswerHead {
  setHeader(name: string, value: string): void;
  setStatus(status: number): void;
}

export interface FastLaneDeps {
  compiled: CompiledQueryCache;
  /** jit.ts's runner (graphql-jit, graphql-js when graphql-jit refuses the variables), as Apollo's executor runs it. */
  run: RunCompiled;
  admission: Admission;
  concurrency: PartnerConcurrency;
  metrics: Metrics;
  /** Apollo's formatError of this server. */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  includeStacktrace: boolean;
  /** What every answered operation gets (cost extension and refund, status, headers, the operation count), as after Apollo's. */
  settle(context: RequestContext, result: AnsweredResult, requested: number, head: AnswerHead): Promise<void>;
}

const BODY_KEYS = new Set(["query", "variables", "operationName"]);
/** An operation name as GraphQL spells one (Apollo answers any other as an unknown operation). */
const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

interface LaneRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName: string | null;
}

/**
 * A request the lane takes: a POST whose JSON body (parsed already) holds a query and at most variables and an
 * operation name (extensions such as APQ hashes are Apollo's), accepting plain JSON. Anything else: null.
 */
function laneRequest(req: Request): LaneRequest | null {
  if (req.method !== "POST") return null;
  const accept = req.headers.accept;
  if (accept !== undefined && accept !== "*/*" && accept !== "application/json") return null;
  const body = req.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== "object" || Array.isArray(body)) return null;
  for (const key in body) if (!BODY_KEYS.has(key)) return null;
  const { query, variables, operationName } = body;
  if (typeof query !== "string") return null;
  if (variables != null && (typeof variables !== "object" || Array.isArray(variables))) return null;
  if (operationName != null && (typeof operationName !== "string" || !NAME.test(operationName))) return null;
  return { query, variables: (variables as Record<string, unknown> | null | undefined) ?? {}, operationName: (operationName as string | null | undefined) ?? null };
}

/** An HTTP status and headers an error asks for (`extensions.http`), as Apollo reads them. */
function headOf(value: unknown): { status?: number; headers?: Map<string, string> } | null {
  if (!value || typeof value !== "object") return null;
  const head = value as { status?: unknown; headers?: unknown };
  if ("status" in head && typeof head.status !== "number") return null;
  if ("headers" in head && !(head.headers instanceof Map)) return null;
  return head as { status?: number; headers?: Map<string, string> };
}

/**
 * The fast lane: a query that graphql-jit has compiled already (its document validated and seen twice through
 * Apollo) is answered here, without Apollo's request pipeline (hashing the text, the document store, plugin
 * hooks, the HTTP head negotiation), which was a fifth of the server's CPU on workload (b). Everything an
 * operation passes through Apollo it passes here, through the same code: admission (guards, cost, the partner's
 * budget), the partner's concurrency lane, jit.ts's runner (graphql-shield and the planner inside it), errors
 * normalised as Apollo's `normalizeAndFormatErrors` does and then this server's formatError, `settle` (cost
 * extension and refund, status, headers), the operation's metrics, log line and span. What is not that plain case
 * goes on to Apollo untouched: another transport, body or Accept, a document not compiled yet, and an operation
 * admission refuses (Apollo admits it again, with no side effect, and answers the refusal as for any request).
 * Lane hits do not refresh the parsed-document cache: the compiled entry holds its own document.
 */
export function fastLane(deps: FastLaneDeps): { middleware: (req: Request, res: Response, next: NextFunction) => Promise<void>; stats: { served: number } } {
  const stats = { served: 0 };

  /** Apollo's enrichError, then formatError (a formatting failure answered as Apollo answers it). */
  const format = (error: GraphQLError, head: Head): GraphQLFormattedError => {
    const enrich = (e: GraphQLError): GraphQLFormattedError => {
      const extensions: Record<string, unknown> = { ...e.extensions, code: e.extensions?.code ?? "INTERNAL_SERVER_ERROR" };
      const http = headOf(extensions.http);
      if (http) {
        if (http.status) head.status = http.status;
        for (const entry of http.headers ?? []) head.headers.push(entry);
        delete extensions.http;
      }
      if (deps.includeStacktrace) extensions.stacktrace = e.stack?.split("\n");
      return { ...e.toJSON(), extensions };
    };
    try {
      return deps.formatError(enrich(error), error);
    } catch (formattingError) {
      if (deps.includeStacktrace) return enrich(ensureGraphQLError(formattingError));
      return { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
    }
  };

  /** Sends an answer as Apollo would: status (200, or what the errors ask; 500 for an error-only answer without one), headers, body. */
  const respond = async (res: Response, context: RequestContext, requested: number, answer: { data?: unknown; errors?: readonly GraphQLError[]; extensions?: Record<string, unknown> }, started: number, operation: { name: string | null; type: string }) => {
    const head: Head = { status: 0, headers: [] };
    const errors = answer.errors?.map((error) => format(error, head));
    if (!head.status) head.status = "data" in answer ? 200 : 500;
    const answered: AnsweredResult = { errors, data: answer.data, extensions: answer.extensions };
    const seconds = (performance.now() - started) / 1000;
    await deps.settle(context, answered, requested, { setHeader: (name, value) => head.headers.push([name, value]), setStatus: (status) => (head.status = status) });
    operationAnswered(deps.metrics, { authenticated: true, operationName: operation.name, type: operation.type, seconds, errors });
    for (const [name, value] of head.headers) res.setHeader(name, value);
    if (!res.hasHeader("content-type")) res.setHeader("content-type", JSON_CONTENT_TYPE);
    res.statusCode = head.status;
    // Apollo's order and its trailing newline; written as the string it is (Express's send copies it into a Buffer
    // first: 5% of the memory workload (a) allocated), a POST answer has no ETag, freshness or HEAD to handle
    const body = JSON.stringify({ errors: answered.errors, data: answered.data, extensions: answered.extensions }) + "\n";
    res.setHeader("content-length", Buffer.byteLength(body));
    res.end(body);
    stats.served++;
  };

  const middleware = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const context = res.locals.context as RequestContext;
    const request = context.viewer ? laneRequest(req) : null;
    const entry = request ? deps.compiled.hot(request.query, request.operationName) : undefined;
    if (!request || !entry) return next();
    const started = performance.now();
    const { document, operation } = entry;
    const named = { name: operation.name?.value ?? null, type: operation.operation };
    operationResolved(named.name, named.type);
    let requested: number;
    try {
      requested = await deps.admission.operation(context, document, operation, request.variables);
    } catch {
      return next(); // refused: Apollo admits it again (admission has no side effect on a refusal) and answers it
    }
    // Apollo hands resolvers a shallow copy of the context (what they attach stays with this operation)
    const contextValue = Object.assign(Object.create(Object.getPrototypeOf(context) as object | null) as RequestContext, context);
    const lease = deps.concurrency.acquire(context.viewer!.partnerId);
    try {
      await lease.granted;
    } catch (refusal) {
      await deps.admission.refund(context, requested); // refused before it ran: it costs nothing
      return respond(res, contextValue, requested, { errors: [ensureGraphQLError(refusal)] }, started, named);
    }
    let answer: { data?: unknown; errors?: readonly GraphQLError[]; extensions?: Record<string, unknown> };
    try {
      const result = await deps.run(entry, contextValue, request.variables, request.operationName);
      if (!("data" in result)) {
        // neither graphql-jit nor graphql-js took the variables (admission did): nothing ran, Apollo answers it;
        // the slot goes back before Apollo asks for its own (a lane of one would otherwise wait for itself)
        lease.release();
        await deps.admission.refund(context, requested);
        return next();
      }
      answer = { data: result.data, errors: result.errors as readonly GraphQLError[] | undefined, extensions: result.extensions as Record<string, unknown> | undefined };
    } catch (error) {
      answer = { errors: [ensureGraphQLError(error)] }; // as Apollo answers an executor that throws
    } finally {
      lease.release();
    }
    await respond(res, contextValue, requested, answer, started, named);
  };
  return { middleware, stats };
}

interface Head {
  status: number;
  headers: [string, string][];
}

/** Apollo's ensureGraphQLError. */
function ensureGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const e = error instanceof Error ? error : new Error(`Unexpected error value: ${String(error)}`);
  return new GraphQLError(e.message, { originalError: e });
}
