// Where ProcessMaker 4 caches a user's direct permissions, derived from its .env the way Laravel's
// config/cache.php and config/database.php do (processmaker-4-permissions.md §2.3). Pure.
import path from "node:path";
import { createHash } from "node:crypto";
import type { DotEnv } from "./env-file.js";

export interface RedisSettings {
  /** REDIS_URL when set; host/port/etc. still override it, as Laravel merges them. */
  url: string | undefined;
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  db: number;
  tls: boolean;
}

export type CacheSettings =
  | {
      driver: "redis";
      redis: RedisSettings;
      /**
       * Physical key prefixes to clear: REDIS_PREFIX + CACHE_PREFIX, then ':' up to Laravel 10,
       * none from Laravel 11 on; both forms when the version is unknown.
       */
      keyPrefixes: string[];
    }
  | { driver: "file"; dir: string }
  | { driver: "array" | "null" }
  | { driver: string; unsupported: true };

/** Laravel's Str::slug($value, '_') for the ASCII-ish names APP_NAME holds. */
export function laravelSlug(value: string, sep = "_"): string {
  const ascii = value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  return ascii
    .replaceAll("-", sep) // the "flip" separator
    .replaceAll("@", `${sep}at${sep}`)
    .toLowerCase()
    .replace(/[^a-z0-9_\s]+/g, "")
    .replace(/[_\s]+/g, sep)
    .replace(/^_+|_+$/g, "");
}

/** env('X', default): the default applies only when the key is absent, not when it is empty. */
function envOr(env: DotEnv, key: string, fallback: string): string {
  return env.has(key) ? (env.get(key) ?? "") : fallback;
}

export function userPermissionsKey(userId: number): string {
  return `user_${userId}_permissions`;
}

/**
 * Laravel ≤10's RedisStore appended ':' to a non-empty cache prefix; Laravel 11 does not (upgrade
 * guide, "Cache Key Prefixes"). An unknown version gets both forms, the current one first.
 */
export function redisKeyPrefixes(base: string, cachePrefix: string, major?: number): string[] {
  if (cachePrefix === "") return [base];
  const laravel11 = `${base}${cachePrefix}`;
  const older = `${base}${cachePrefix}:`;
  if (major === undefined) return [laravel11, older];
  return major >= 11 ? [laravel11] : [older];
}

export function cacheSettings(env: DotEnv, rootDir: string, laravelMajor?: number): CacheSettings {
  // config/app.php: name defaults to 'ProcessMaker'. [inferred]
  const app = laravelSlug(envOr(env, "APP_NAME", "ProcessMaker"));
  const driver = (env.get("CACHE_DRIVER") || env.get("CACHE_STORE") || "redis").toLowerCase();
  if (driver === "redis") {
    const cachePrefix = envOr(env, "CACHE_PREFIX", `${app}_cache_`);
    const redisPrefix = envOr(env, "REDIS_PREFIX", `${app}_database_`);
    const url = env.get("REDIS_URL") || undefined;
    const scheme = (env.get("REDIS_SCHEME") ?? "").toLowerCase();
    return {
      driver,
      keyPrefixes: redisKeyPrefixes(redisPrefix, cachePrefix, laravelMajor),
      redis: {
        url,
        host: env.get("REDIS_HOST") || "127.0.0.1",
        port: Number(env.get("REDIS_PORT") || 6379),
        username: env.get("REDIS_USERNAME") || undefined,
        // Laravel's .env.example writes REDIS_PASSWORD=null; phpdotenv turns "null" into null.
        password: ["", "null", "(null)"].includes(env.get("REDIS_PASSWORD") ?? "")
          ? undefined
          : env.get("REDIS_PASSWORD"),
        db: Number(env.get("REDIS_DB") || 0),
        tls: scheme === "tls" || scheme === "rediss" || (url?.startsWith("rediss:") ?? false),
      },
    };
  }
  if (driver === "file")
    return { driver, dir: path.join(rootDir, "storage", "framework", "cache", "data") };
  if (driver === "array" || driver === "null") return { driver };
  return { driver, unsupported: true };
}

/** Laravel FileStore::path(): sha1 of the key (the file store has no prefix), two 2-char levels. */
export function fileCachePath(dir: string, key: string): string {
  const hash = createHash("sha1").update(key).digest("hex");
  return path.join(dir, hash.slice(0, 2), hash.slice(2, 4), hash);
}
