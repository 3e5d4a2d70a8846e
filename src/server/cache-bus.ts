import type { AppLogger } from "./logger";

/** What a named cache must offer the bus (a Map does). */
export interface CacheEntries {
  delete(key: string): unknown;
  clear(): void;
}

/**
 * Invalidation of process caches by name ("partner", later business profiles
 * and user roles): `invalidate` drops the entry here at once and, when Redis
 * carries the bus, on every other instance too (they receive the message).
 */
export class CacheBus {
  private readonly caches = new Map<string, Set<CacheEntries>>();

  constructor(
    private readonly log: AppLogger,
    /** Sends a message to every instance, this one included; absent without Redis. */
    private readonly publish?: (message: string) => Promise<unknown>,
  ) {}

  register(cache: string, entries: CacheEntries): void {
    let registered = this.caches.get(cache);
    if (!registered) this.caches.set(cache, (registered = new Set()));
    registered.add(entries);
  }

  async invalidate(cache: string, key: string): Promise<void> {
    this.drop(cache, key); // at once, so this instance never waits for its own message
    if (!this.publish) return;
    try {
      await this.publish(JSON.stringify({ cache, key }));
    } catch (error) {
      this.log.warn({ err: error, cache, key }, "could not publish a cache invalidation: other instances keep the entry until it expires");
    }
  }

  /** A message published by `invalidate` on any instance. */
  receive(message: string): void {
    try {
      const { cache, key } = JSON.parse(message) as { cache: unknown; key: unknown };
      if (typeof cache === "string" && typeof key === "string") return this.drop(cache, key);
    } catch {
      // not ours: fall through to the warning
    }
    this.log.warn({ message }, "ignored a malformed cache invalidation");
  }

  /** Empties every cache: after the bus was disconnected, invalidations may have been missed. */
  clearAll(): void {
    for (const registered of this.caches.values()) for (const entries of registered) entries.clear();
  }

  private drop(cache: string, key: string): void {
    for (const entries of this.caches.get(cache) ?? []) entries.delete(key);
  }
}
