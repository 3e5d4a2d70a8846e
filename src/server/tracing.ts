import fs from "node:fs";
import path from "node:path";
import type * as Api from "@opentelemetry/api";
import { projectRoot, type Config } from "../config";
import type { StatementEnd, StatementTracer } from "../db/sql-stats";
import type { AppLogger } from "./logger";

/**
 * OpenTelemetry traces, only when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or
 * OTEL_EXPORTER_OTLP_ENDPOINT): one span per GraphQL request and a child span per SQL statement, sent in batches
 * over OTLP/HTTP as JSON. Without an endpoint nothing of the SDK is loaded and requests carry no trace.
 */

/** The span of one GraphQL request (POST or GET /graphql), from the first byte handled to the response sent. */
export interface OperationTrace extends StatementTracer {
  readonly traceId: string;
  /** Once Apollo resolved the operation: the span is renamed `<type> <name>` (`query viewer`). */
  operation(type: string | undefined, name: string | null | undefined): void;
  /** Error codes of the answer (`extensions.code`); any makes the span's status ERROR. */
  errors(codes: readonly string[]): void;
  end(httpStatus: number): void;
}

export interface Tracing {
  /** `traceparent`: the caller's W3C trace context; the span joins that trace when it is valid. */
  start(requestId: string, method: string, traceparent: string | undefined): OperationTrace;
  /** Sends the spans still buffered. */
  flush(): Promise<void>;
  /** Flushes and stops the exporter (the app's stop). */
  shutdown(): Promise<void>;
}

/**
 * A statement's text for `db.statement`: placeholders, never values. A customer page names its partners as
 * literals (so PostgreSQL plans it per partner): those become `?`. Long statements are cut.
 */
export function statementForSpan(text: string): string {
  const masked = text.replace(/'\{[0-9a-fA-F,-]*\}'::uuid\[\]/g, "?::uuid[]").replace(/'[0-9a-fA-F-]{36}'::uuid/g, "?::uuid");
  return masked.length > MAX_STATEMENT_CHARS ? masked.slice(0, MAX_STATEMENT_CHARS) : masked;
}

/** Statement text kept in `db.statement`; longer statements are cut (the planner's can be long). */
const MAX_STATEMENT_CHARS = 8192;

function serviceVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(projectRoot(), "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** `SELECT`, `INSERT`, `WITH` …: the statement's first keyword, the span's name. */
function sqlOperation(text: string): string {
  const match = /^\s*([A-Za-z]+)/.exec(text);
  return match ? match[1]!.toUpperCase() : "SQL";
}

/** A W3C `traceparent` header as a remote parent, or null when absent or malformed. */
function remoteParent(api: typeof Api, header: string | undefined): Api.Context | null {
  const match = header ? /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/.exec(header.trim()) : null;
  if (!match || match[1] === "ff") return null;
  const spanContext: Api.SpanContext = { traceId: match[2]!, spanId: match[3]!, traceFlags: Number.parseInt(match[4]!, 16) & 1, isRemote: true };
  return api.isSpanContextValid(spanContext) ? api.trace.setSpanContext(api.ROOT_CONTEXT, spanContext) : null;
}

/** Null (and nothing loaded) without an endpoint; else a tracer provider of its own (no global registration). */
export async function startTracing(config: Pick<Config, "tracing">, log: AppLogger): Promise<Tracing | null> {
  const url = config.tracing.tracesUrl;
  if (!url) return null;
  const [api, sdk, resources, otlp] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/exporter-trace-otlp-http"),
  ]);
  // the SDK's own complaints (an unreachable collector) go to our log, at warn and above
  api.diag.setLogger(
    {
      error: (message, ...args) => log.warn({ otel: args.map(String) }, `OpenTelemetry: ${message}`),
      warn: (message, ...args) => log.warn({ otel: args.map(String) }, `OpenTelemetry: ${message}`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: api.DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const version = serviceVersion();
  // the exporter also reads OTEL_EXPORTER_OTLP_HEADERS / _TIMEOUT / _COMPRESSION; the provider OTEL_TRACES_SAMPLER(_ARG) and span limits
  const exporter = new otlp.OTLPTraceExporter({ url });
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ "service.name": config.tracing.serviceName, "service.version": version }),
    spanProcessors: [new sdk.BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("partner-accounts-graphql", version);
  log.info({ url }, "OpenTelemetry tracing on: spans are exported over OTLP/HTTP");

  return {
    start(requestId, method, traceparent) {
      const parent = remoteParent(api, traceparent) ?? api.ROOT_CONTEXT;
      const span = tracer.startSpan(
        "GraphQL",
        { kind: api.SpanKind.SERVER, attributes: { "request.id": requestId, "http.request.method": method, "http.route": "/graphql" } },
        parent,
      );
      const context = api.trace.setSpan(parent, span);
      const codes = new Set<string>();
      let ended = false;
      return {
        traceId: span.spanContext().traceId,
        statement(text): StatementEnd {
          const child = tracer.startSpan(
            sqlOperation(text),
            { kind: api.SpanKind.CLIENT, attributes: { "db.system": "postgresql", "db.operation": sqlOperation(text), "db.statement": statementForSpan(text) } },
            context,
          );
          return (error?: unknown) => {
            if (error !== undefined) {
              // the SQLSTATE only: PostgreSQL's messages may quote parameter values
              const code = (error as { code?: unknown; driverError?: { code?: unknown } } | null)?.code ?? (error as { driverError?: { code?: unknown } } | null)?.driverError?.code;
              child.setAttribute("db.response.status_code", typeof code === "string" ? code : "unknown");
              child.setStatus({ code: api.SpanStatusCode.ERROR, message: typeof code === "string" ? `SQLSTATE ${code}` : "statement failed" });
            }
            child.end();
          };
        },
        operation(type, name) {
          if (!type) return;
          span.updateName(name ? `${type} ${name}` : type);
          span.setAttribute("graphql.operation.type", type);
          if (name) span.setAttribute("graphql.operation.name", name);
        },
        errors(list) {
          for (const code of list) codes.add(code);
        },
        end(httpStatus) {
          if (ended) return;
          ended = true;
          span.setAttribute("http.response.status_code", httpStatus);
          if (codes.size > 0) {
            span.setAttribute("graphql.error.codes", [...codes]);
            span.setStatus({ code: api.SpanStatusCode.ERROR, message: [...codes].join(", ") });
          } else if (httpStatus >= 500) {
            span.setStatus({ code: api.SpanStatusCode.ERROR, message: `HTTP ${httpStatus}` });
          }
          span.end();
        },
      };
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
