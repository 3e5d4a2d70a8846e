import type Redis from "ioredis";
import type { AppLogger } from "./logger";

export type Taken = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * A token bucket per key (a partner, an address): `capacity` points refilled
 * at `refillPerSecond`. A request takes its requested cost up front and gets
 * back what it did not use.
 */
export interface CostBudget {
  readonly capacity: number;
  readonly refillPerSecond: number;
  /** Takes `cost` points, or says how many seconds to wait until they are there. */
  take(key: string, cost: number): Promise<Taken>;
  refund(key: string, points: number): Promise<void>;
  remaining(key: string): Promise<number>;
}

/** The answer to a take that found `points` in the bucket. */
function takenFrom(points: number, cost: number, capacity: number, refillPerSecond: number): Taken {
  if (points >= cost) return { ok: true };
  const missing = Math.min(cost, capacity) - points;
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(missing / refillPerSecond)) };
}

/** Buckets in this process: the budget without REDIS_URL, and the fallback while Redis is away. */
export class MemoryCostBudget implements CostBudget {
  private readonly buckets = new Map<string, { points: number; at: number }>();

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  private bucket(key: string) {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { points: this.capacity, at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.points = Math.min(this.capacity, bucket.points + ((now - bucket.at) / 1000) * this.refillPerSecond);
      bucket.at = now;
    }
    return bucket;
  }

  takeNow(key: string, cost: number): Taken {
    const bucket = this.bucket(key);
    const taken = takenFrom(bucket.points, cost, this.capacity, this.refillPerSecond);
    if (taken.ok) bucket.points -= cost;
    return taken;
  }

  refundNow(key: string, points: number): void {
    const bucket = this.bucket(key);
    bucket.points = Math.min(this.capacity, bucket.points + Math.max(0, points));
  }

  remainingNow(key: string): number {
    return Math.floor(this.bucket(key).points);
  }

  async take(key: string, cost: number): Promise<Taken> {
    return this.takeNow(key, cost);
  }

  async refund(key: string, points: number): Promise<void> {
    this.refundNow(key, points);
  }

  async remaining(key: string): Promise<number> {
    return this.remainingNow(key);
  }
}

/**
 * The same bucket, updated atomically in Redis (one script call per step, on
 * Redis's clock so instances' clocks do not matter). Returns whether a take
 * succeeded and the points after the step, as a string: Redis would truncate a
 * Lua number to an integer.
 */
const BUCKET_SCRIPT = `
local capacity = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local op = ARGV[3]
local amount = tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local stored = redis.call('HMGET', KEYS[1], 'points', 'at')
local points = tonumber(stored[1]) or capacity
local at = tonumber(stored[2]) or now
points = math.min(capacity, points + math.max(0, now - at) / 1000 * refill)
local ok = 1
if op == 'take' then
  if points >= amount then points = points - amount else ok = 0 end
elseif op == 'refund' then
  points = math.min(capacity, points + math.max(0, amount))
end
redis.call('HSET', KEYS[1], 'points', tostring(points), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - points) / refill * 1000) + 1000)
return { ok, tostring(points) }
`;

type BucketOp = "take" | "refund" | "peek";
type WithBucket = Redis & { costBucket(key: string, capacity: number, refill: number, op: BucketOp, amount: number): Promise<[number, string]> };

/**
 * One budget per key across every instance sharing the Redis. While Redis
 * cannot answer, each instance falls back to its own buckets (a Redis outage
 * loosens the budget, it never fails a request).
 */
export class RedisCostBudget implements CostBudget {
  private readonly fallback: MemoryCostBudget;
  private failing = false;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    readonly capacity: number,
    readonly refillPerSecond: number,
    private readonly log: AppLogger,
  ) {
    this.fallback = new MemoryCostBudget(capacity, refillPerSecond);
    if (!("costBucket" in redis)) redis.defineCommand("costBucket", { numberOfKeys: 1, lua: BUCKET_SCRIPT });
  }

  /** Whether `op` succeeded and the points after it, or null (logged once per outage) when Redis cannot answer. */
  private async step(key: string, op: BucketOp, amount: number): Promise<{ ok: boolean; points: number } | null> {
    try {
      const [ok, points] = await (this.redis as WithBucket).costBucket(this.keyPrefix + key, this.capacity, this.refillPerSecond, op, amount);
      if (this.failing) this.log.info("rate budgets are shared through Redis again");
      this.failing = false;
      return { ok: ok === 1, points: Number(points) };
    } catch (error) {
      if (!this.failing) this.log.warn({ err: error }, "Redis is unreachable: rate budgets are per process until it is back");
      this.failing = true;
      return null;
    }
  }

  async take(key: string, cost: number): Promise<Taken> {
    const step = await this.step(key, "take", cost);
    if (step === null) return this.fallback.takeNow(key, cost);
    return step.ok ? { ok: true } : takenFrom(step.points, cost, this.capacity, this.refillPerSecond);
  }

  async refund(key: string, points: number): Promise<void> {
    if ((await this.step(key, "refund", points)) === null) this.fallback.refundNow(key, points);
  }

  async remaining(key: string): Promise<number> {
    const step = await this.step(key, "peek", 0);
    return step === null ? this.fallback.remainingNow(key) : Math.floor(step.points);
  }
}
