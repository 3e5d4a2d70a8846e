import { Pool, PoolClient } from "pg";
import { DataSource } from "typeorm";
import { PostgresDriver } from "typeorm/driver/postgres/PostgresDriver";
import { requestScope, RequestScope } from "./sql-stats";

/**
 * Read replicas: TypeORM hands SELECTs made without an explicit query runner
 * (query builders, repositories) to `obtainSlaveConnection`; writes,
 * transactions and `dataSource.query()` always use the primary. This module
 * replaces that method so reads go to a healthy replica in turn, and to the
 * primary when the request writes, when none is healthy, or when the replica
 * fails under the read.
 */

export interface ReplicaOptions {
  primaryUrl: string;
  /** In the order of TypeORM's `replication.slaves` (the driver's pools). */
  replicaUrls: string[];
  checkMs: number;
  maxLagMs: number;
}

export type ReplicaState = "healthy" | "unreachable" | "not-a-standby" | "lagging";

export interface ReplicaHealth {
  /** host:port/database, without credentials. */
  name: string;
  state: ReplicaState;
  /** How far behind the primary it was at the last check (0 when caught up, null when unknown). */
  lagMs: number | null;
  /** Statements it answered since start. */
  reads: number;
}

export interface ReplicaRouting {
  health(): ReplicaHealth[];
  /** Reads the router sent to the primary: query runners of requests that write or that found no healthy replica, and retried statements. */
  primaryReads(): number;
  stop(): Promise<void>;
}

type Connection = [PoolClient, (error?: unknown) => void];

interface Replica {
  name: string;
  /** The driver's pool that reads use. */
  pool: Pool;
  /** A pool of one connection for health checks, apart from the reads' pool so a busy pool cannot delay them. */
  probe: Pool;
  state: ReplicaState;
  lagMs: number | null;
  /** When a check first found it behind the primary (null while caught up). */
  behindSince: number | null;
  reads: number;
}

interface ReplicaPosition {
  standby: boolean;
  /** Replayed up to the primary's position (null without one). */
  caughtUp: boolean | null;
  /** Since the last replayed commit (null before the first). */
  replayAgeMs: string | null;
}

const REPLICA_POSITION = `
  SELECT pg_is_in_recovery() AS standby,
         pg_last_wal_replay_lsn() >= $1::pg_lsn AS "caughtUp",
         extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000 AS "replayAgeMs"`;

const pinnedScopes = new WeakSet<RequestScope>();
const routings = new WeakMap<DataSource, ReplicaRouting>();
const RETRYING = Symbol("retriesOnPrimary");

/** Sends every later read of the current request to the primary: a request that writes must read its own writes. */
export function readFromPrimary(): void {
  const scope = requestScope.getStore();
  if (scope) pinnedScopes.add(scope);
}

/** The routing of a data source with replicas (for /readyz and tests), else undefined. */
export function replicaRouting(dataSource: DataSource): ReplicaRouting | undefined {
  return routings.get(dataSource);
}

function nameOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
}

/** The server went away under a query (shut down, crashed, network cut): the read may be repeated elsewhere. */
function connectionLost(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e || typeof e !== "object") return false;
  if (["ECONNRESET", "EPIPE", "57P01", "57P02", "57P03"].includes(e.code ?? "")) return true;
  return /Connection terminated|Client has encountered a connection error/i.test(e.message ?? "");
}

function probePool(url: string, checkMs: number): Pool {
  const timeoutMs = Math.max(checkMs, 1000);
  const pool = new Pool({ connectionString: url, max: 1, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, idleTimeoutMillis: 0 });
  pool.on("error", () => undefined); // an idle probe whose server went away: the next check reports it
  return pool;
}

async function connect(pool: Pool): Promise<Connection> {
  const client = await pool.connect();
  return [client, (error?: unknown) => client.release(error as Error | boolean | undefined)];
}

/**
 * Replaces the driver's slave-connection method with the router and starts
 * the health monitor (after one check, so the first requests already route).
 */
export async function routeReads(dataSource: DataSource, options: ReplicaOptions): Promise<ReplicaRouting> {
  const driver = dataSource.driver as PostgresDriver;
  const obtainPrimary = (): Promise<Connection> => driver.obtainMasterConnection() as Promise<Connection>;
  const primaryProbe = probePool(options.primaryUrl, options.checkMs);
  const replicas: Replica[] = options.replicaUrls.map((url, i) => ({
    name: nameOf(url),
    pool: driver.slaves[i] as Pool,
    probe: probePool(url, options.checkMs),
    state: "unreachable",
    lagMs: null,
    behindSince: null,
    reads: 0,
  }));
  let primaryReads = 0;
  let turn = 0;

  /** Skipped until a check finds it healthy again. */
  const markDown = (replica: Replica, state: "unreachable" | "not-a-standby" = "unreachable"): void => {
    replica.state = state;
    replica.lagMs = null;
    replica.behindSince = null;
  };

  /** A read that loses its replica connection is repeated once on the primary. */
  const retryingOnPrimary = (replica: Replica, client: PoolClient): PoolClient => {
    const marked = client as PoolClient & { [RETRYING]?: true };
    if (marked[RETRYING]) return client;
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as { query: unknown }).query = async (...args: unknown[]) => {
      // the promise forms TypeORM and the read planner use ((text, parameters), or one { name, text, values }); streams and callbacks pass through
      const config = args.length === 1 && typeof args[0] === "object" && args[0] !== null && typeof (args[0] as { text?: unknown }).text === "string";
      if (!config && (typeof args[0] !== "string" || args.length > 2)) return query(...args);
      try {
        const result = await query(...args);
        replica.reads++;
        return result;
      } catch (error) {
        if (!connectionLost(error)) throw error;
        markDown(replica);
        primaryReads++;
        const [primary, release] = await obtainPrimary();
        try {
          return await (primary.query as (...a: unknown[]) => Promise<unknown>)(...args);
        } finally {
          release();
        }
      }
    };
    marked[RETRYING] = true;
    return client;
  };

  /** Healthy replicas starting with the next in turn (round robin); the others follow if it fails. */
  const inTurn = (): Replica[] => {
    const healthy = replicas.filter((r) => r.state === "healthy");
    if (healthy.length === 0) return [];
    const start = turn++ % healthy.length;
    return [...healthy.slice(start), ...healthy.slice(0, start)];
  };

  driver.obtainSlaveConnection = async (): Promise<Connection> => {
    const scope = requestScope.getStore();
    if (!(scope && pinnedScopes.has(scope))) {
      for (const replica of inTurn()) {
        try {
          const [client, release] = await connect(replica.pool);
          return [retryingOnPrimary(replica, client), release];
        } catch {
          markDown(replica); // refused or timed out: the next replica, else the primary, serves this read
        }
      }
    }
    primaryReads++;
    return obtainPrimary();
  };

  /** The WAL position a replica can have received: the primary's flushed LSN (null when the primary cannot be asked). */
  const primaryLsn = async (): Promise<string | null> => {
    try {
      const { rows } = await primaryProbe.query<{ lsn: string }>("SELECT pg_current_wal_flush_lsn()::text AS lsn");
      return rows[0]!.lsn;
    } catch {
      return null;
    }
  };

  const checkReplica = async (replica: Replica, lsn: string | null): Promise<void> => {
    let row: ReplicaPosition;
    try {
      row = (await replica.probe.query<ReplicaPosition>(REPLICA_POSITION, [lsn])).rows[0]!;
    } catch {
      return markDown(replica);
    }
    // a promoted replica no longer follows this primary: its reads would miss the primary's writes
    if (!row.standby) return markDown(replica, "not-a-standby");
    const now = Date.now();
    if (row.caughtUp !== false) {
      // caught up, or no primary position to lag behind
      replica.behindSince = null;
      replica.lagMs = 0;
    } else {
      replica.behindSince ??= now;
      const replayAgeMs = row.replayAgeMs === null ? Infinity : Number(row.replayAgeMs);
      // the last replayed commit is old on an idle primary, the time behind is long on a busy one: lagging needs both
      replica.lagMs = Math.min(now - replica.behindSince, replayAgeMs);
    }
    replica.state = replica.lagMs > options.maxLagMs ? "lagging" : "healthy";
  };

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  const check = (): Promise<void> => {
    // the primary's position first: each replica, asked afterwards, has had that long to reach it
    running = running.then(async () => {
      const lsn = await primaryLsn();
      await Promise.all(replicas.map((r) => checkReplica(r, lsn)));
    });
    return running;
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void check().then(schedule), options.checkMs);
    timer.unref();
  };

  await check();
  schedule();

  const routing: ReplicaRouting = {
    health: () => replicas.map(({ name, state, lagMs, reads }) => ({ name, state, lagMs, reads })),
    primaryReads: () => primaryReads,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await Promise.all([primaryProbe, ...replicas.map((r) => r.probe)].map((p) => p.end()));
      routings.delete(dataSource);
    },
  };
  routings.set(dataSource, routing);
  return routing;
}
