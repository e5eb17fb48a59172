// platform permission list/grant/revoke/show against the PM4 fixture on a real MariaDB, and
// the cache entry of a user removed from a real Redis after a direct change.
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../helpers/cli.js";
import { createPm4Fixture, type Pm4Fixture } from "../helpers/pm4.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";
import { APPLICATION_PHP } from "../../src/pm4/laravel-version.js";

const USER = "ProcessMaker\\Models\\User";
const GROUP = "ProcessMaker\\Models\\Group";
// APP_NAME "ProcessMaker Test", REDIS_PREFIX empty, CACHE_PREFIX default → slug + "_cache_" + ":".
const cacheKey = (id: number): string => `processmaker_test_cache_:user_${id}_permissions`;

let fx: Pm4Fixture;
let redis: TestRedis;

beforeAll(async () => {
  redis = await startRedis();
  fx = await createPm4Fixture({ redisPort: redis.port, redisDb: 2 });
});
afterAll(async () => {
  await fx?.cleanup();
  await redis?.stop();
});

const pm = (...args: string[]) => runInProcess(["platform", ...args], { env: fx.env() });

async function rows(type: string, id: number): Promise<Array<{ name: string; n: number }>> {
  const r = await fx.db.query(
    `SELECT p.name, COUNT(*) AS n FROM assignables a JOIN permissions p ON p.id = a.permission_id
      WHERE a.assignable_type = ? AND a.assignable_id = ? GROUP BY p.name ORDER BY p.name`,
    [type, id],
  );
  return r.map((x) => ({ name: String(x["name"]), n: Number(x["n"]) }));
}

async function snapshot(): Promise<string> {
  const a = await fx.db.query(
    "SELECT permission_id, assignable_type, assignable_id FROM assignables ORDER BY 1, 2, 3",
  );
  const u = await fx.db.query("SELECT id, is_administrator, updated_at FROM users ORDER BY id");
  return JSON.stringify([a, u]);
}

describe("platform permission", () => {
  it("lists permissions with category and holder counts, filtered by category", async () => {
    const r = await pm("permission", "list", "--category", "users", "--json");
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      permissions: Array<{ name: string; category: string; users: number; groups: number }>;
    };
    expect(doc.permissions.map((p) => p.name).sort()).toEqual(
      [
        "create-users",
        "delete-users",
        "edit-personal-profile",
        "edit-users",
        "publish-screen-templates",
        "view-other-users-profiles",
        "view-users",
      ].sort(),
    );
    // view-users: erin directly (twice, counted once); Requesters and Administrators.
    expect(doc.permissions.find((p) => p.name === "view-users")).toMatchObject({
      users: 1,
      groups: 2,
      category: "Users",
    });
    expect(r.stderr).toContain("ProcessMaker 4 install at");
    expect(r.stderr).not.toContain(fx.db.target.password);
  });

  it("grants to a user as the API would, clears the user's cache entry, and is idempotent", async () => {
    await redis.client(2, (c) => c.set(cacheKey(4), 'a:1:{i:0;s:12:"view-signals";}'));
    const r = await pm("permission", "grant", "view-groups", "view-files", "--user", "bob");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("Granted to user 'bob' (#4): view-groups, view-files");
    expect(await rows(USER, 4)).toEqual([
      { name: "view-files", n: 1 },
      { name: "view-groups", n: 1 },
    ]);
    expect(await redis.client(2, (c) => c.get(cacheKey(4)))).toBeNull();
    const again = await pm("permission", "grant", "view-groups", "--user", "bob");
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("Already held");
    expect(await rows(USER, 4)).toHaveLength(2);
  });

  it("refuses a grant whose companions are missing, naming them, and changes nothing", async () => {
    const before = await snapshot();
    const r = await pm("permission", "grant", "create-signals", "--user", "bob");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("PM4.REQUIRED_MISSING");
    expect(r.stderr).toContain("edit-signals");
    expect(r.stderr).toContain("view-signals");
    expect(await snapshot()).toBe(before);
  });

  it("adds the required companions with --with-required (create → edit → view)", async () => {
    const r = await pm(
      "permission",
      "grant",
      "create-signals",
      "--group",
      "Cycle B",
      "--with-required",
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await rows(GROUP, 6)).map((x) => x.name)).toEqual([
      "create-signals",
      "edit-signals",
      "view-settings",
      "view-signals",
    ]);
  });

  it("rejects unknown permissions with the closest match and changes nothing", async () => {
    const before = await snapshot();
    const r = await pm("permission", "grant", "edit-user", "--user", "bob");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("PM4.UNKNOWN_PERMISSION");
    expect(r.stderr).toContain("did you mean 'edit-users'");
    const u = await pm("permission", "grant", "view-users", "--user", "alise");
    expect(u.exitCode).toBe(2);
    expect(u.stderr).toContain("Did you mean 'alice'?");
    expect(await snapshot()).toBe(before);
  });

  it("prints the SQL on --dry-run and changes nothing", async () => {
    const before = await snapshot();
    const r = await pm("permission", "grant", "view-files", "--group", "Requesters", "--dry-run");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("INSERT INTO assignables");
    expect(r.stdout).toContain("'ProcessMaker\\\\Models\\\\Group'");
    expect(await snapshot()).toBe(before);
  });

  it("revokes from a user, removing duplicate rows, and clears the cache entry", async () => {
    await redis.client(2, (c) => c.set(cacheKey(7), "cached"));
    const r = await pm("permission", "revoke", "view-users", "view-files", "--user", "erin");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("duplicate rows removed: view-users ×2");
    expect(r.stdout).toContain("Not held by user 'erin' (#7): view-files");
    expect(await rows(USER, 7)).toEqual([]);
    expect(await redis.client(2, (c) => c.get(cacheKey(7)))).toBeNull();
  });

  it("revokes from a group without touching other holders", async () => {
    const r = await pm("permission", "revoke", "view-users", "--group", "Administrators");
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await rows(GROUP, 3)).map((x) => x.name)).toEqual([
      "create-users",
      "delete-users",
      "edit-users",
    ]);
    expect(r.stderr).toContain("still holds create-users, which needs view-users");
    expect((await rows(GROUP, 1)).map((x) => x.name)).toContain("view-users");
  });

  it("shows effective permissions through nested and cyclic groups", async () => {
    const r = await pm("permission", "show", "--user", "alice", "--effective", "--json");
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      effective: Array<{ name: string; sources: string[] }>;
      groups: string[];
    };
    const names = doc.effective.map((e) => e.name);
    expect(names.sort()).toEqual(
      [
        "view-process-catalog",
        "view-my_requests",
        "view-all_requests",
        "view-users",
        "view-groups",
        "view-processes",
        "create-processes",
        "edit-processes",
        "view-screens",
        "view-environment_variables",
        "edit-environment_variables",
        "view-signals",
        "view-settings",
        "create-signals",
        "edit-signals",
        "view-process-categories",
      ].sort(),
    );
    expect(names).not.toContain("view-scripts"); // only an orphan group holds it
    expect(doc.groups.sort()).toEqual([
      "Cycle A",
      "Cycle B",
      "Operations",
      "Process Designers",
      "Requesters",
    ]);
    const cat = doc.effective.find((e) => e.name === "view-process-categories");
    expect(cat?.sources[0]).toMatch(/^implied by (create|edit)-processes$/);
    const signals = doc.effective.find((e) => e.name === "view-signals");
    // Cycle B got view-signals from the --with-required grant above.
    expect(signals?.sources).toEqual([
      "group 'Cycle A' (via 'Operations' ← 'Process Designers')",
      "group 'Cycle B' (via 'Cycle A' ← 'Operations' ← 'Process Designers')",
    ]);
  });

  it("shows a group's effective permissions (the cycle leads back to itself) and Super Admin as all", async () => {
    const g = await pm("permission", "show", "--group", "Cycle A", "--effective", "--json");
    expect(g.exitCode, g.stderr).toBe(0);
    const gd = JSON.parse(g.stdout) as { effective: Array<{ name: string; sources: string[] }> };
    expect(gd.effective.find((e) => e.name === "view-signals")?.sources).toEqual([
      "direct",
      "group 'Cycle B' (via 'Cycle A')",
    ]);
    expect(gd.effective.map((e) => e.name)).toContain("view-settings");
    const a = await pm("permission", "show", "--user", "admin", "--effective");
    expect(a.exitCode).toBe(0);
    expect(a.stdout).toContain("Effective permissions: all");
  });

  it("warns that the change waits for the 24 h expiry when the cache is unreachable", async () => {
    const unreachable = await createPm4Fixture({ redisPort: 1 });
    try {
      const r = await runInProcess(
        ["platform", "permission", "grant", "view-files", "--user", "alice"],
        { env: unreachable.env() },
      );
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain("takes effect when that cache entry expires (at most 24 h)");
      expect(r.stderr).toContain("php artisan cache:forget user_3_permissions");
    } finally {
      await unreachable.cleanup();
    }
  });
});

describe("the cache key follows the install's Laravel version", () => {
  // Laravel 11 dropped the ':' after the cache prefix (upgrade guide, "Cache Key Prefixes").
  const laravel11Key = (id: number): string => `processmaker_test_cache_user_${id}_permissions`;
  const appPhp = APPLICATION_PHP;
  const layout = async (files: Record<string, string>): Promise<void> => {
    await rm(path.join(fx.dir, "vendor"), { recursive: true, force: true });
    await rm(path.join(fx.dir, "composer.lock"), { force: true });
    for (const [rel, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(fx.dir, rel)), { recursive: true });
      await writeFile(path.join(fx.dir, rel), text);
    }
  };
  const both = (): Promise<unknown> =>
    redis.client(2, async (c) => {
      await c.set(cacheKey(4), "old form");
      await c.set(laravel11Key(4), "laravel 11 form");
    });
  const left = (): Promise<Array<string | null>> =>
    redis.client(2, async (c) => [await c.get(cacheKey(4)), await c.get(laravel11Key(4))]);

  it("Laravel 11 (Application.php VERSION): deletes prefix+key, not the old prefix:key", async () => {
    await layout({
      [appPhp]: "<?php\nclass Application extends Container\n{\n    const VERSION = '11.43.2';\n",
    });
    await both();
    const r = await pm("permission", "revoke", "view-files", "--user", "bob", "--json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      cache: { status: "deleted", key: laravel11Key(4) },
    });
    expect(await left()).toEqual(["old form", null]);
  });

  it("Laravel 10 (composer.lock): deletes prefix:key, not the Laravel 11 form", async () => {
    await layout({
      "composer.lock": JSON.stringify({
        packages: [
          { name: "laravel/passport", version: "v12.0.0" },
          { name: "laravel/framework", version: "v10.48.22" },
        ],
      }),
    });
    await both();
    const r = await pm("permission", "grant", "view-files", "--user", "bob", "--json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ cache: { key: cacheKey(4) } });
    expect(await left()).toEqual([null, "laravel 11 form"]);
  });

  it("an unknown version deletes both forms", async () => {
    await layout({});
    await both();
    const r = await pm("permission", "revoke", "view-files", "--user", "bob", "-v");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("Laravel version unknown");
    expect(await left()).toEqual([null, null]);
  });
});
