// The only importer of ioredis. Removes a user's cached direct permissions (user_{id}_permissions)
// so a grant or revoke made in SQL takes effect at once instead of after the 24 h TTL (§2.3).
import { unlink } from "node:fs/promises";
import type { RedisOptions } from "ioredis";
import {
  fileCachePath,
  userPermissionsKey,
  type CacheSettings,
  type RedisSettings,
} from "./cache-config.js";

export type ForgetStatus = "deleted" | "absent" | "unreachable" | "unsupported" | "not-persistent";

export interface ForgetResult {
  status: ForgetStatus;
  driver: string;
  /** The physical key (redis) or file path (file store). Never holds a secret. */
  key: string;
  /** Why the cache could not be reached; safe to print. */
  detail?: string;
}

/** The few Redis commands pmadmin and its tests use. */
export interface CacheClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
  ping(): Promise<string>;
}

export function describeRedis(r: RedisSettings): string {
  return r.url === undefined
    ? `redis://${r.host}:${r.port}/${r.db}`
    : `${r.url.replace(/\/\/[^@/]*@/, "//****@")} (db ${r.db})`;
}

function redisOptions(r: RedisSettings, timeoutMs: number): RedisOptions {
  return {
    host: r.host,
    port: r.port,
    db: r.db,
    ...(r.username === undefined ? {} : { username: r.username }),
    ...(r.password === undefined ? {} : { password: r.password }),
    ...(r.tls ? { tls: {} } : {}),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // A CLI must fail fast: no reconnect loop, no queued commands while offline.
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  };
}

/** Opens a connection, runs fn, always closes. Connection failures reject. */
export async function withRedis<T>(
  r: RedisSettings,
  fn: (c: CacheClient) => Promise<T>,
  timeoutMs = 3000,
): Promise<T> {
  const opts = redisOptions(r, timeoutMs);
  // Loaded only here: every command would otherwise pay for ioredis at start-up.
  const { Redis } = await import("ioredis");
  const client = r.url === undefined ? new Redis(opts) : new Redis(r.url, opts);
  // Reported through the rejected promise instead; the event carries the real cause
  // (ECONNREFUSED, WRONGPASS) where connect() only says "Connection is closed".
  let cause: Error | undefined;
  client.on("error", (e: Error) => (cause = e));
  try {
    try {
      await client.connect();
    } catch (error) {
      throw cause ?? error;
    }
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

export async function forgetUserPermissions(
  cache: CacheSettings,
  userId: number,
): Promise<ForgetResult> {
  const name = userPermissionsKey(userId);
  if ("redis" in cache) {
    const keys = cache.keyPrefixes.map((prefix) => `${prefix}${name}`);
    const key = keys.join(", ");
    try {
      const n = await withRedis(cache.redis, (c) => c.del(...keys));
      return { status: n > 0 ? "deleted" : "absent", driver: "redis", key };
    } catch (error) {
      return {
        status: "unreachable",
        driver: "redis",
        key,
        detail: `${describeRedis(cache.redis)}: ${(error as Error).message.replace(/\.$/, "")}`,
      };
    }
  }
  if ("dir" in cache) {
    const file = fileCachePath(cache.dir, name);
    try {
      await unlink(file);
      return { status: "deleted", driver: "file", key: file };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return { status: "absent", driver: "file", key: file };
      return { status: "unreachable", driver: "file", key: file, detail: (error as Error).message };
    }
  }
  if ("unsupported" in cache) return { status: "unsupported", driver: cache.driver, key: name };
  return { status: "not-persistent", driver: cache.driver, key: name };
}
