import crypto from "node:crypto";
import { performance } from "node:perf_hooks";
import type { ApolloServerPlugin } from "@apollo/server";
import type { NextFunction, Request, Response } from "express";
import type { RequestContext } from "../auth/context";
import { requestScope, RequestScope } from "../db/sql-stats";
import type { AppLogger } from "./logger";
import type { Metrics } from "./metrics";
import type { OperationTrace, Tracing } from "./tracing";

/** Longest `x-request-id` accepted from a caller. */
export const MAX_REQUEST_ID_LENGTH = 128;

/**
 * Letters, digits and `. _ : / + = -` (UUIDs, ULIDs, trace ids, base64): no spaces or brackets, which could
 * make a caller's id forge what looks like another entry on a readable log line.
 */
const ID_CHARACTERS = /^[A-Za-z0-9._:\/+=-]+$/;

/** The caller's `x-request-id` when it is made of those characters and at most 128 long, else a new UUID. */
export function requestIdFrom(given: string | undefined): string {
  return given !== undefined && given.length <= MAX_REQUEST_ID_LENGTH && ID_CHARACTERS.test(given) ? given : crypto.randomUUID();
}

/** The current request's logger (every line carries its requestId), or `log` outside any request. */
export function requestLog(log: AppLogger): AppLogger {
  const scope = requestScope.getStore();
  if (!scope) return log;
  return (scope.log ??= log.child({ requestId: scope.requestId }));
}

/** What the GraphQL layer learnt about a request, for its access-log line and its span. */
interface Observed {
  trace?: OperationTrace;
  operation?: string | null;
  type?: string;
  codes?: string[];
}

const observed = new WeakMap<RequestScope, Observed>();

/** Requests answered by GraphQL (not the playground page a browser gets at GET /graphql). */
function isGraphqlRequest(req: Request): boolean {
  if (req.path !== "/graphql") return false;
  return req.method === "POST" || (req.method === "GET" && typeof req.query.query === "string");
}

function errorCodes(errors: readonly { extensions?: Record<string, unknown> }[] | undefined): string[] {
  return (errors ?? []).map((e) => (typeof e.extensions?.code === "string" ? e.extensions.code : "NONE"));
}

/** Probes and scrapes: logged at debug, so a load balancer's checks do not fill the log. */
const QUIET_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * The first middleware: the request id (the caller's `x-request-id` when valid, else a new one) in the response
 * header and the request scope, a child logger bound to it, the span of a GraphQL request when tracing is on,
 * and at the end one access-log line and the HTTP metrics.
 */
export function observeRequests(deps: { log: AppLogger; metrics: Metrics; tracing: Tracing | null }) {
  const { metrics, tracing } = deps;
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    const requestId = requestIdFrom(req.header("x-request-id"));
    res.setHeader("x-request-id", requestId);
    const trace = tracing && isGraphqlRequest(req) ? tracing.start(requestId, req.method, req.header("traceparent")) : undefined;
    const log = deps.log.child(trace ? { requestId, traceId: trace.traceId } : { requestId });
    const scope: RequestScope = { requestId, sql: { statements: 0 }, log, trace };
    const seen: Observed = { trace };
    observed.set(scope, seen);
    const path = req.path;

    // the refusals the HTTP layer writes itself (401, 413, 429, 400 before Apollo …) count like Apollo's errors
    const json = res.json;
    res.json = function (this: Response, body: unknown) {
      const codes = errorCodes((body as { errors?: { extensions?: Record<string, unknown> }[] } | null)?.errors);
      if (codes.length > 0) {
        metrics.countErrors(codes);
        trace?.errors(codes);
        seen.codes = [...(seen.codes ?? []), ...codes];
      }
      return json.call(this, body);
    } as Response["json"];

    let done = false;
    const finished = (sent: boolean) => {
      if (done) return;
      done = true;
      if (sent) metrics.countHttp(res.statusCode);
      trace?.end(res.statusCode);
      const fields: Record<string, unknown> = { method: req.method, path, status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10 };
      if (seen.type) Object.assign(fields, { operation: seen.operation ?? "anonymous", type: seen.type });
      if (seen.codes?.length) fields.errors = seen.codes;
      if (scope.sql.statements > 0) fields.sql = scope.sql.statements;
      if (!sent) log.info(fields, "request closed before its response was sent");
      else if (res.statusCode >= 500) log.warn(fields, "request finished");
      else if (QUIET_PATHS.has(path)) log.debug(fields, "request finished");
      else log.info(fields, "request finished");
    };
    res.on("finish", () => finished(true));
    res.on("close", () => finished(res.writableFinished));
    requestScope.run(scope, next);
  };
}

/** The operation is known: the request's access-log line and span name it. */
export function operationResolved(operationName: string | null | undefined, type: string | undefined): void {
  const scope = requestScope.getStore();
  const seen = scope && observed.get(scope);
  if (seen) Object.assign(seen, { operation: operationName, type });
  seen?.trace?.operation(type, operationName);
  scope?.log?.debug({ operation: operationName ?? "anonymous", type }, "operation resolved");
}

/** The operation is answered: its latency by name (bounded in Metrics), its errors by code on the metrics, log line and span. */
export function operationAnswered(
  metrics: Metrics,
  answer: { authenticated: boolean; operationName: string | null | undefined; type: string | undefined; seconds: number; errors: readonly { extensions?: Record<string, unknown> }[] | undefined },
): void {
  // only authenticated callers' names take one of the bounded label slots (an anonymous caller could fill them)
  metrics.observeOperation(answer.authenticated ? answer.operationName : null, answer.type, answer.seconds);
  const codes = errorCodes(answer.errors);
  if (codes.length === 0) return;
  metrics.countErrors(codes);
  const scope = requestScope.getStore();
  const seen = scope && observed.get(scope);
  if (seen) seen.codes = [...(seen.codes ?? []), ...codes];
  seen?.trace?.errors(codes);
}

/**
 * Per GraphQL operation that Apollo runs (HTTP requests and executeOperation alike), `operationResolved` and
 * `operationAnswered`; the fast lane (fast-lane.ts) calls them itself.
 */
export function observabilityPlugin(metrics: Metrics): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async didResolveOperation({ operation, operationName }) {
          operationResolved(operationName, operation?.operation);
        },
        async willSendResponse({ response, operation, operationName, contextValue }) {
          const errors = response.body.kind === "single" ? response.body.singleResult.errors : undefined;
          operationAnswered(metrics, { authenticated: !!contextValue?.viewer, operationName, type: operation?.operation, seconds: (performance.now() - started) / 1000, errors });
        },
      };
    },
  };
}
