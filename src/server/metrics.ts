import { IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import type { Pool } from "pg";
import { DataSource } from "typeorm";
import { replicaRouting } from "../db/replicas";
import type { PartnerConcurrency } from "./partner-concurrency";

/** Upper bounds (seconds) of the operation latency buckets: 5 ms to 10 s. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Error codes kept as label values; a code beyond them (none of ours) counts as "other". */
const MAX_ERROR_CODES = 100;

export interface MetricsOptions {
  /** Distinct operation names kept as label values; later names count as "other" (callers choose names freely). */
  maxOperationNames?: number;
}

/** A Prometheus histogram of one label set: counts per bucket (not cumulative until rendered), sum and count. */
class Histogram {
  private readonly counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  private sum = 0;
  private count = 0;

  observe(value: number): void {
    const i = LATENCY_BUCKETS.findIndex((bound) => value <= bound);
    if (i >= 0) this.counts[i]!++;
    this.sum += value;
    this.count++;
  }

  lines(name: string, labels: string): string[] {
    let cumulative = 0;
    const buckets = LATENCY_BUCKETS.map((bound, i) => {
      cumulative += this.counts[i]!;
      return `${name}_bucket{${labels},le="${bound}"} ${cumulative}`;
    });
    return [...buckets, `${name}_bucket{${labels},le="+Inf"} ${this.count}`, `${name}_sum{${labels}} ${this.sum}`, `${name}_count{${labels}} ${this.count}`];
  }
}

/** A label value as the text format wants it: backslash, double quote and newline escaped. */
function label(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Label values from callers, bounded: the first `max` distinct values are kept, the rest become "other". */
class BoundedLabels {
  private readonly seen = new Set<string>();
  constructor(private readonly max: number) {}

  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return "other";
    this.seen.add(value);
    return value;
  }
}

/** Prometheus text-format metrics of the process; no client library needed for this few. */
export class Metrics {
  private readonly http = new Map<number, number>();
  private readonly operations = new Map<string, number>();
  private readonly latency = new Map<string, { operation: string; type: string; histogram: Histogram }>();
  private readonly operationNames: BoundedLabels;
  private readonly errors = new Map<string, number>();
  private readonly errorCodes = new BoundedLabels(MAX_ERROR_CODES);
  /** Event-loop delay sampled every 10 ms; reset at each scrape, so the figures cover the time since the previous one. */
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor(
    private readonly dataSource: DataSource,
    private readonly concurrency?: PartnerConcurrency,
    options: MetricsOptions = {},
  ) {
    this.operationNames = new BoundedLabels(options.maxOperationNames ?? 100);
    this.loopDelay.enable();
  }

  countHttp(status: number): void {
    this.http.set(status, (this.http.get(status) ?? 0) + 1);
  }

  countOperation(outcome: "ok" | "error"): void {
    this.operations.set(outcome, (this.operations.get(outcome) ?? 0) + 1);
  }

  /** One GraphQL operation's time from request to response: labelled with its name ("anonymous" without one) and type. */
  observeOperation(name: string | null | undefined, type: string | undefined, seconds: number): void {
    const operation = name ? this.operationNames.of(name) : "anonymous";
    const kind = type ?? "unknown";
    const key = `${operation}\u0000${kind}`;
    let entry = this.latency.get(key);
    if (!entry) this.latency.set(key, (entry = { operation, type: kind, histogram: new Histogram() }));
    entry.histogram.observe(seconds);
  }

  /** The errors of one response, by `extensions.code` ("NONE" for an error without one). */
  countErrors(codes: Iterable<string | undefined>): void {
    for (const code of codes) {
      const key = this.errorCodes.of(code || "NONE");
      this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
    }
  }

  /** Stops the event-loop sampling (the app's stop). */
  stop(): void {
    this.loopDelay.disable();
  }

  async render(): Promise<string> {
    const lines = [
      "# HELP http_requests_total HTTP responses by status code.",
      "# TYPE http_requests_total counter",
      ...[...this.http].map(([status, n]) => `http_requests_total{status="${status}"} ${n}`),
      "# HELP graphql_operations_total Executed GraphQL operations by outcome.",
      "# TYPE graphql_operations_total counter",
      ...[...this.operations].map(([outcome, n]) => `graphql_operations_total{outcome="${outcome}"} ${n}`),
      "# HELP graphql_operation_duration_seconds Time from receiving a GraphQL operation to sending its answer, by operation name and type.",
      "# TYPE graphql_operation_duration_seconds histogram",
      ...[...this.latency.values()].flatMap((e) => e.histogram.lines("graphql_operation_duration_seconds", `operation="${label(e.operation)}",type="${label(e.type)}"`)),
      "# HELP graphql_errors_total Errors in GraphQL answers (and in the HTTP layer's refusals) by extensions.code.",
      "# TYPE graphql_errors_total counter",
      ...[...this.errors].map(([code, n]) => `graphql_errors_total{code="${label(code)}"} ${n}`),
      "# HELP process_resident_memory_bytes Resident memory size in bytes.",
      "# TYPE process_resident_memory_bytes gauge",
      `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
      ...this.eventLoopLines(),
    ];
    const pools = this.pools();
    if (pools.length > 0) {
      lines.push(
        "# HELP db_pool_connections Database pool connections by pool and state (waiting: requests queued for a connection).",
        "# TYPE db_pool_connections gauge",
        ...pools.flatMap(({ name, pool }) => [
          `db_pool_connections{pool="${label(name)}",state="total"} ${pool.totalCount}`,
          `db_pool_connections{pool="${label(name)}",state="idle"} ${pool.idleCount ?? 0}`,
          `db_pool_connections{pool="${label(name)}",state="waiting"} ${pool.waitingCount ?? 0}`,
        ]),
        "# HELP db_pool_max_connections Largest number of connections each pool opens.",
        "# TYPE db_pool_max_connections gauge",
        ...pools.map(({ name, pool }) => `db_pool_max_connections{pool="${label(name)}"} ${pool.options?.max ?? 0}`),
      );
    }
    if (this.concurrency) lines.push(...partnerConcurrencyLines(this.concurrency));
    return lines.join("\n") + "\n";
  }

  /** The primary's pool, then each replica's (named host:port/database). */
  private pools(): { name: string; pool: Pool }[] {
    const driver = this.dataSource.driver as unknown as { master?: Pool; slaves?: Pool[] };
    const isPool = (p: Pool | undefined): p is Pool => !!p && typeof p.totalCount === "number";
    const pools: { name: string; pool: Pool }[] = isPool(driver.master) ? [{ name: "primary", pool: driver.master }] : [];
    const replicas = replicaRouting(this.dataSource)?.health();
    (driver.slaves ?? []).forEach((pool, i) => {
      if (isPool(pool)) pools.push({ name: replicas?.[i]?.name ?? `replica${i + 1}`, pool });
    });
    return pools;
  }

  /** The delay figures since the previous scrape, in seconds (prom-client's names); all 0 before the first sample. */
  private eventLoopLines(): string[] {
    const h = this.loopDelay;
    const sampled = h.count > 0;
    const seconds = (ns: number) => (sampled && Number.isFinite(ns) ? ns / 1e9 : 0);
    const figures: [string, string, number][] = [
      ["min", "Shortest", h.min],
      ["max", "Longest", h.max],
      ["mean", "Mean", h.mean],
      ["stddev", "Standard deviation of the", h.stddev],
      ["p50", "Median", h.percentile(50)],
      ["p90", "90th percentile", h.percentile(90)],
      ["p99", "99th percentile", h.percentile(99)],
    ];
    h.reset();
    return figures.flatMap(([suffix, help, ns]) => [
      `# HELP nodejs_eventloop_lag_${suffix}_seconds ${help} event-loop delay since the previous scrape.`,
      `# TYPE nodejs_eventloop_lag_${suffix}_seconds gauge`,
      `nodejs_eventloop_lag_${suffix}_seconds ${seconds(ns)}`,
    ]);
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
