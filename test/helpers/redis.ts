// A real, private redis-server for tests: no persistence, a free port, stopped by stop().
// CI installs the Debian package `redis-server`; without it the tests fail with that advice.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../src/db/server.js";
import { withRedis, type CacheClient } from "../../src/pm4/cache.js";
import type { RedisSettings } from "../../src/pm4/cache-config.js";

export interface TestRedis {
  port: number;
  settings(db?: number): RedisSettings;
  /** Runs fn against database `db` of this server. */
  client<T>(db: number, fn: (c: CacheClient) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

function findRedisServer(): string {
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "redis-server");
    if (dir && existsSync(candidate)) return candidate;
  }
  for (const fixed of [
    "/usr/bin/redis-server",
    "/usr/local/bin/redis-server",
    "/usr/sbin/redis-server",
  ]) {
    if (existsSync(fixed)) return fixed;
  }
  throw new Error(
    "redis-server is not installed; the PM4 cache tests need it. Install it with: apt-get install redis-server",
  );
}

export async function startRedis(): Promise<TestRedis> {
  const bin = findRedisServer();
  const port = await freePort();
  const child: ChildProcess = spawn(
    bin,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const settings = (db = 0): RedisSettings => ({
    url: undefined,
    host: "127.0.0.1",
    port,
    username: undefined,
    password: undefined,
    db,
    tls: false,
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`redis-server exited (${child.exitCode}): ${stderr}`);
    try {
      await withRedis(settings(), (c) => c.ping(), 500);
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(
          `redis-server did not answer on port ${port}: ${(error as Error).message} ${stderr}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    settings,
    client: (db, fn) => withRedis(settings(db), fn),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
