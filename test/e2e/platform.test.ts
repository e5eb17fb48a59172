// ProcessMaker 4 platform commands through the built binary, as a sysadmin runs them: grant,
// effective permissions, cache invalidation in a real Redis, the last-Super-Admin guard.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBin } from "../helpers/cli.js";
import { adminTarget } from "../helpers/db.js";
import { createPm4Fixture, type Pm4Fixture } from "../helpers/pm4.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";

let fx: Pm4Fixture;
let redis: TestRedis;
const cacheKey = (id: number): string => `processmaker_test_cache_:user_${id}_permissions`;

beforeAll(async () => {
  redis = await startRedis();
  fx = await createPm4Fixture({ redisPort: redis.port, redisDb: 3 });
});
afterAll(async () => {
  await fx?.cleanup();
  await redis?.stop();
});

const pm = (...args: string[]) => runBin(["platform", ...args], { env: fx.env() });

describe("pmadmin platform (built binary)", () => {
  it("grants with companions, shows them as effective, and clears the user's cached permissions", async () => {
    await redis.client(3, (c) => c.set(cacheKey(4), "stale"));
    const refused = await pm("permission", "grant", "create-users", "--user", "bob");
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/edit-users/);

    const granted = await pm(
      "permission",
      "grant",
      "create-users",
      "--user",
      "bob",
      "--with-required",
      "--json",
    );
    expect(granted.exitCode, granted.stderr).toBe(0);
    expect(await redis.client(3, (c) => c.get(cacheKey(4)))).toBeNull();

    const show = await pm("permission", "show", "--user", "bob", "--effective", "--json");
    expect(show.exitCode).toBe(0);
    const names = JSON.stringify(JSON.parse(show.stdout));
    for (const p of ["create-users", "edit-users", "view-users"]) expect(names).toContain(p);

    // The database password of the install never shows, whatever the output mode.
    const password = adminTarget().password;
    for (const r of [refused, granted, show]) expect(r.stdout + r.stderr).not.toContain(password);
  });

  it("refuses to switch off the last active Super Admin (exit 3) and changes nothing", async () => {
    const before = await fx.db.query("SELECT id, is_administrator FROM users ORDER BY id");
    const r = await pm("super-admin", "admin", "off");
    expect(r.exitCode).toBe(3);
    expect(await fx.db.query("SELECT id, is_administrator FROM users ORDER BY id")).toEqual(before);
  });

  it("says so when pointed at a ProcessMaker 3 installation", async () => {
    const { createTestInstall } = await import("../helpers/install.js");
    const pm3 = await createTestInstall({ workspaces: 0 });
    try {
      const r = await runBin(["platform", "permission", "list"], {
        env: { PM_INSTALL_DIR: pm3.installDir },
      });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain("[PM4.IS_PM3]");
    } finally {
      await pm3.cleanup();
    }
  });
});
