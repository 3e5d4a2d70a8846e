/**
 * A cost budget per partner: a bucket of points refilled every second. A
 * request takes its requested cost up front and gets back what it did not use.
 * In-memory; with several replicas, REDIS_URL would share it (not built yet).
 */
export class CostBudget {
  private readonly buckets = new Map<string, { points: number; at: number }>();

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  private bucket(partnerId: string) {
    const now = this.now();
    let bucket = this.buckets.get(partnerId);
    if (!bucket) {
      bucket = { points: this.capacity, at: now };
      this.buckets.set(partnerId, bucket);
    } else {
      bucket.points = Math.min(this.capacity, bucket.points + ((now - bucket.at) / 1000) * this.refillPerSecond);
      bucket.at = now;
    }
    return bucket;
  }

  /** Takes `cost` points, or returns the seconds to wait until they are there. */
  take(partnerId: string, cost: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const bucket = this.bucket(partnerId);
    if (bucket.points >= cost) {
      bucket.points -= cost;
      return { ok: true };
    }
    const missing = Math.min(cost, this.capacity) - bucket.points;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(missing / this.refillPerSecond)) };
  }

  refund(partnerId: string, points: number): void {
    const bucket = this.bucket(partnerId);
    bucket.points = Math.min(this.capacity, bucket.points + Math.max(0, points));
  }

  remaining(partnerId: string): number {
    return Math.floor(this.bucket(partnerId).points);
  }
}
