import crypto from "node:crypto";
import Redis from "ioredis";

/** The machine's Redis (TEST_REDIS_URL overrides). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix of this test file's own, so no two files or CI runs share keys. */
export function testRedisPrefix(): string {
  return `pag-test:${process.pid}:${crypto.randomBytes(4).toString("hex")}:`;
}

/** Deletes every key under the prefix (after the file's tests, pass or fail). */
export async function deleteRedisKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
}
