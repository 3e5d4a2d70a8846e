import { AsyncLocalStorage } from "node:async_hooks";
import { AbstractLogger, AfterQueryEvent, BeforeQueryEvent, EntitySubscriberInterface, LogLevel, LogMessage, QueryRunner } from "typeorm";
import type { AppLogger } from "../server/logger";

export interface SqlStats {
  statements: number;
}

/** What travels with one request through every await: its id and SQL counter. */
export interface RequestScope {
  requestId: string;
  sql: SqlStats;
  /** Set once the bearer token is verified: caches keep documents for authenticated callers only. */
  authenticated?: boolean;
  /** This request's logger (a child bound to its requestId): every line it writes names the request. */
  log?: AppLogger;
  /** The request's trace when tracing is on (src/server/tracing.ts): the parent of its statements' spans. */
  trace?: StatementTracer;
}

/** Ends a statement's span, with the error when the statement failed. */
export type StatementEnd = (error?: unknown) => void;

export interface StatementTracer {
  /** Starts the span of one SQL statement (its text, never its parameter values). */
  statement(text: string): StatementEnd;
}

const UNTRACED: StatementEnd = () => undefined;

/**
 * The one place SQL statements get spans: the planner's statements and TypeORM's (through StatementSpans) call it.
 * Without tracing (no OTLP endpoint) the request has no trace and this returns a no-op.
 */
export function traceStatement(text: string, scope: RequestScope | undefined = requestScope.getStore()): StatementEnd {
  return scope?.trace ? scope.trace.statement(text) : UNTRACED;
}

/**
 * Spans for TypeORM's statements (repositories, query builders, `query()`), from its beforeQuery to its afterQuery
 * event. A query runner sends its statements one after another on one connection, so they end in the order they began.
 * Registered on the DataSource only while tracing is on.
 */
export class StatementSpans implements EntitySubscriberInterface {
  private readonly open = new WeakMap<object, StatementEnd[]>();

  beforeQuery(event: BeforeQueryEvent): void {
    const runner = event.queryRunner as object;
    let queue = this.open.get(runner);
    if (!queue) this.open.set(runner, (queue = []));
    queue.push(traceStatement(event.query));
  }

  afterQuery(event: AfterQueryEvent): void {
    this.open.get(event.queryRunner as object)?.shift()?.(event.success ? undefined : (event.error ?? new Error("query failed")));
  }
}

/** Counts SQL statements per request (the N+1 guard and the benchmark read it) and carries the request id to logs. */
export const requestScope = new AsyncLocalStorage<RequestScope>();

type LogSink = (level: "warn" | "error" | "info", message: string) => void;

/** TypeORM logger: counts every statement, forwards errors and warnings to the app log. */
export class CountingLogger extends AbstractLogger {
  constructor(private readonly sink: LogSink = () => undefined) {
    super(["warn"]);
  }

  override logQuery(_query: string, _parameters?: unknown, _runner?: QueryRunner): void {
    const scope = requestScope.getStore();
    if (scope) scope.sql.statements++;
  }

  protected writeLog(level: LogLevel, messages: LogMessage | string | number | (LogMessage | string | number)[]): void {
    const list = Array.isArray(messages) ? messages : [messages];
    for (const message of list) {
      const text = typeof message === "object" ? String(message.message) : String(message);
      this.sink(level === "error" ? "error" : level === "warn" ? "warn" : "info", text);
    }
  }
}
