import { DataSource } from "typeorm";
import type { PartnerConcurrency } from "./partner-concurrency";

/** Prometheus text-format counters for the process; no client library needed for this few. */
export class Metrics {
  private readonly http = new Map<number, number>();
  private readonly operations = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly concurrency?: PartnerConcurrency,
  ) {}

  countHttp(status: number): void {
    this.http.set(status, (this.http.get(status) ?? 0) + 1);
  }

  countOperation(outcome: "ok" | "error"): void {
    this.operations.set(outcome, (this.operations.get(outcome) ?? 0) + 1);
  }

  async render(): Promise<string> {
    const lines = [
      "# HELP http_requests_total HTTP responses by status code.",
      "# TYPE http_requests_total counter",
      ...[...this.http].map(([status, n]) => `http_requests_total{status="${status}"} ${n}`),
      "# HELP graphql_operations_total Executed GraphQL operations by outcome.",
      "# TYPE graphql_operations_total counter",
      ...[...this.operations].map(([outcome, n]) => `graphql_operations_total{outcome="${outcome}"} ${n}`),
      "# HELP process_resident_memory_bytes Resident memory size in bytes.",
      "# TYPE process_resident_memory_bytes gauge",
      `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
    ];
    const pool = (this.dataSource.driver as unknown as { master?: { totalCount?: number; idleCount?: number; waitingCount?: number } }).master;
    if (pool && typeof pool.totalCount === "number") {
      lines.push(
        "# HELP db_pool_connections Database pool connections by state.",
        "# TYPE db_pool_connections gauge",
        `db_pool_connections{state="total"} ${pool.totalCount}`,
        `db_pool_connections{state="idle"} ${pool.idleCount ?? 0}`,
        `db_pool_connections{state="waiting"} ${pool.waitingCount ?? 0}`,
      );
    }
    if (this.concurrency) lines.push(...partnerConcurrencyLines(this.concurrency));
    return lines.join("\n") + "\n";
  }
}

/** Only partners with operations running or queued appear, so the label set stays small. */
function partnerConcurrencyLines(concurrency: PartnerConcurrency): string[] {
  const lanes = concurrency.gauge();
  return [
    "# HELP partner_operations Operations per partner in this process: executing (holding a slot) or queued behind the partner's own.",
    "# TYPE partner_operations gauge",
    ...lanes.flatMap((l) => [`partner_operations{partner="${l.partnerId}",state="running"} ${l.running}`, `partner_operations{partner="${l.partnerId}",state="queued"} ${l.waiting}`]),
    "# HELP partner_operations_refused_total Operations refused with THROTTLED because the partner's queue was full or the wait too long.",
    "# TYPE partner_operations_refused_total counter",
    `partner_operations_refused_total ${concurrency.refusedTotal()}`,
  ];
}
