import { DataSource } from "typeorm";

/** Prometheus text-format counters for the process; no client library needed for this few. */
export class Metrics {
  private readonly http = new Map<number, number>();
  private readonly operations = new Map<string, number>();

  constructor(private readonly dataSource: DataSource) {}

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
    return lines.join("\n") + "\n";
  }
}
