import type { ApolloServerOptions } from "@apollo/server";
import type { DocumentNode } from "graphql";
import type { RequestContext } from "../auth/context";
import { requestScope } from "../db/sql-stats";

/**
 * A least-recently-used cache bounded by the bytes its entries hold (as the
 * caller measures them), not by their number: one huge entry cannot pin
 * hundreds of megabytes the way a count-bounded cache lets it.
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private held = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes held by every entry (keys included, as `set` was told). */
  get bytes(): number {
    return this.held;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // re-insert: a Map iterates in insertion order, so the first key is the least recently used
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores the value unless it alone exceeds the bound; evicts the least recently used until it fits. */
  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    while (this.held + bytes > this.maxBytes) this.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, bytes });
    this.held += bytes;
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.held -= entry.bytes;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }
}

/**
 * Apollo's parsed-document cache over a ByteLru: a document is measured as
 * Apollo's own default cache measures it (its JSON size) and kept only for
 * authenticated callers, so anonymous traffic can neither fill nor evict it.
 */
export function authenticatedDocumentStore(cache: ByteLru<DocumentNode>): NonNullable<ApolloServerOptions<RequestContext>["documentStore"]> {
  return {
    async get(key) {
      return cache.get(key);
    },
    async set(key, document) {
      if (requestScope.getStore()?.authenticated) cache.set(key, document, key.length + Buffer.byteLength(JSON.stringify(document)));
    },
    async delete(key) {
      return cache.delete(key);
    },
  };
}
