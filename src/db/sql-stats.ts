import { AsyncLocalStorage } from "node:async_hooks";
import { AbstractLogger, LogLevel, LogMessage, QueryRunner } from "typeorm";

export interface SqlStats {
  statements: number;
}

/** What travels with one request through every await: its id and SQL counter. */
export interface RequestScope {
  requestId: string;
  sql: SqlStats;
  /** Set once the bearer token is verified: caches keep documents for authenticated callers only. */
  authenticated?: boolean;
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
