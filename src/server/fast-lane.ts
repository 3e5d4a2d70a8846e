import { performance } from "node:perf_hooks";
import type { NextFunction, Request, Response } from "express";
import type { ExecutionResult, GraphQLError, GraphQLFormattedError } from "graphql";
import type { RequestContext } from "../auth/context";
import type { Admission } from "./admission";
import { asGraphQLError, CompiledQueryCache } from "./jit";
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
  admission: Admission;
  concurrency: PartnerConcurrency;
  metrics: Metrics;
  /** Apollo's formatError of this server. */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  includeStacktrace: boolean;
  /** What every answered operation gets (cost extension and refund, status, headers), as after Apollo's. */
  settle(context: RequestContext, result: AnsweredResult, requested: number, head: AnswerHead): Promise<void>;
}

const BODY_KEYS = new Set(["query", "variables", "operationName"]);
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
  if (operationName != null && typeof operationName !== "string") return null;
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
 * budget), the partner's concurrency lane, the compiled query (graphql-shield and the planner inside it),
 * errors normalised as Apollo does and then this server's formatError, `settle` (cost extension and refund,
 * status, headers) and the operation's metrics, log line and span. Whatever is not that plain case goes on to
 * Apollo untouched: a refusal (Apollo admits it again and answers it), another transport or body, a document
 * not compiled yet, variables graphql-jit would not coerce.
 */
export function fastLane(deps: FastLaneDeps): { middleware: (req: Request, res: Response, next: NextFunction) => Promise<void>; stats: { served: number } } {
  const stats = { served: 0 };
  const format = (error: GraphQLError, head: { status: number; headers: [string, string][] }): GraphQLFormattedError => {
    try {
      const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions?.code ?? "INTERNAL_SERVER_ERROR" };
      const http = headOf(extensions.http);
      if (http) {
        if (http.status) head.status = http.status;
        for (const entry of http.headers ?? []) head.headers.push(entry);
        delete extensions.http;
      }
      if (deps.includeStacktrace) extensions.stacktrace = error.stack?.split("\n");
      return deps.formatError({ ...error.toJSON(), extensions }, error);
    } catch {
      return { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
    }
  };

  const middleware = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const context = res.locals.context as RequestContext;
    const request = context.viewer ? laneRequest(req) : null;
    const entry = request ? deps.compiled.hot(request.query, request.operationName) : undefined;
    if (!request || !entry) return next();
    const started = performance.now();
    const { compiled, document, operation } = entry;
    let requested: number;
    try {
      requested = await deps.admission.operation(context, document, operation, request.variables);
    } catch {
      return next(); // refused: Apollo admits it again and answers the refusal as for any request
    }
    const lease = deps.concurrency.acquire(context.viewer!.partnerId);
    try {
      await lease.granted;
    } catch {
      await deps.admission.refund(context, requested);
      return next();
    }
    let result: ExecutionResult;
    try {
      operationResolved(operation.name?.value ?? null, operation.operation);
      result = await compiled.query(undefined, context, request.variables);
    } catch (error) {
      lease.release();
      return next(error);
    }
    lease.release();
    if (!("data" in result)) {
      // graphql-jit refused variables graphql-js accepts (see jit.ts): Apollo runs it on graphql-js
      await deps.admission.refund(context, requested);
      return next();
    }
    const head = { status: 200, headers: [] as [string, string][] };
    const errors = result.errors?.map((error) => format(asGraphQLError(error), head));
    const answered: AnsweredResult = { errors, data: result.data, extensions: result.extensions as Record<string, unknown> | undefined };
    await deps.settle(context, answered, requested, { setHeader: (name, value) => head.headers.push([name, value]), setStatus: (status) => (head.status = status) });
    deps.metrics.countOperation(errors?.length ? "error" : "ok");
    operationAnswered(deps.metrics, { authenticated: true, operationName: operation.name?.value ?? null, type: operation.operation, seconds: (performance.now() - started) / 1000, errors });
    for (const [name, value] of head.headers) res.setHeader(name, value);
    res.setHeader("content-type", JSON_CONTENT_TYPE);
    res.statusCode = head.status;
    // Apollo's order and its trailing newline
    res.send(JSON.stringify({ errors: answered.errors, data: answered.data, extensions: answered.extensions }) + "\n");
    stats.served++;
  };
  return { middleware, stats };
}
