import Redis, { RedisOptions } from "ioredis";
import type { Config } from "../config";
import { CacheBus } from "./cache-bus";
import type { AppLogger } from "./logger";
import { CostBudget, MemoryCostBudget, RedisCostBudget } from "./rate-limit";

/**
 * State every instance must agree on: rate budgets and cache invalidations.
 * In Redis when REDIS_URL is set, else in this process. Owns the Redis
 * connections; nothing here ever throws because Redis is away.
 */
export interface SharedState {
  readonly inRedis: boolean;
  readonly caches: CacheBus;
  /** A named budget (e.g. "cost", "anonymous"): one bucket per key across all instances when in Redis. */
  budget(name: string, capacity: number, refillPerSecond: number): CostBudget;
  close(): Promise<void>;
}

/** Longest wait between reconnection attempts: a Redis that comes back is used again within this. */
const MAX_RECONNECT_DELAY_MS = 5_000;

const CONNECTION: RedisOptions = {
  lazyConnect: true, // openSharedState connects, bounded by connectTimeout; constructing never does I/O
  connectTimeout: 2_000,
  disconnectTimeout: 200, // how long close() of a connection that never came up keeps a timer
  retryStrategy: (attempt) => Math.min(attempt * 200, MAX_RECONNECT_DELAY_MS),
};

/** The URL without its password, for logs. */
function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable REDIS_URL)";
  }
}

/** Logs a connection's first error of each outage (ioredis reports every failed reconnection). */
function logOutages(client: Redis, log: AppLogger, role: string): void {
  let down = false;
  client.on("error", (error) => {
    if (!down) log.warn({ err: error, role }, "Redis connection failed; retrying in the background");
    down = true;
  });
  client.on("ready", () => {
    if (down) log.info({ role }, "Redis connection is back");
    down = false;
  });
}

/** QUIT when connected (waits for the socket to close), else just stop reconnecting. */
async function closeConnection(client: Redis): Promise<void> {
  if (client.status !== "ready") return client.disconnect();
  await client.quit().catch(() => client.disconnect());
}

function perProcess(log: AppLogger): SharedState {
  return {
    inRedis: false,
    caches: new CacheBus(log),
    budget: (_name, capacity, refillPerSecond) => new MemoryCostBudget(capacity, refillPerSecond),
    close: async () => {},
  };
}

/** Connects to REDIS_URL when set (waiting at most connectTimeout; an unreachable Redis is retried in the background). */
export async function openSharedState(config: Pick<Config, "redisUrl" | "redisKeyPrefix">, log: AppLogger): Promise<SharedState> {
  if (!config.redisUrl) {
    log.info("REDIS_URL is not set: rate budgets and caches are per process");
    return perProcess(log);
  }
  const prefix = config.redisKeyPrefix;
  const channel = `${prefix}invalidate`;
  // commands fail at once while disconnected (budgets fall back to memory) instead of queueing behind a dead Redis
  const commands = new Redis(config.redisUrl, { ...CONNECTION, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000 });
  // a subscribing connection cannot run commands; its SUBSCRIBE waits for the connection and is renewed on reconnect
  const subscriber = new Redis(config.redisUrl, { ...CONNECTION, maxRetriesPerRequest: null });
  logOutages(commands, log, "commands");
  logOutages(subscriber, log, "subscriber");

  const caches = new CacheBus(log, (message) => commands.publish(channel, message));
  subscriber.on("message", (from, message) => {
    if (from === channel) caches.receive(message);
  });
  subscriber.on("ready", () => caches.clearAll()); // invalidations sent while it was not subscribed are lost

  let closed = false;
  const connected = await Promise.all([commands.connect(), subscriber.connect()]).then(
    () => true,
    () => false, // logged by logOutages
  );
  const subscribed = subscriber.subscribe(channel).catch((error: unknown) => {
    if (!closed) log.warn({ err: error }, "could not subscribe to cache invalidations");
  });
  const redis = redacted(config.redisUrl);
  if (connected) {
    await subscribed; // serve only once invalidations from other instances arrive
    log.info({ redis, prefix }, "rate budgets and cache invalidations are shared through Redis");
  } else {
    log.warn({ redis, prefix }, "Redis is unreachable: rate budgets and caches are per process until it answers");
  }

  return {
    inRedis: true,
    caches,
    budget: (name, capacity, refillPerSecond) => new RedisCostBudget(commands, `${prefix}budget:${name}:`, capacity, refillPerSecond, log),
    async close() {
      closed = true;
      await Promise.all([closeConnection(commands), closeConnection(subscriber)]);
    },
  };
}
