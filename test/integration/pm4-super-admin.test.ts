// platform super-admin on/off with the last-admin guard, and finding the install (PM4 vs PM3).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../helpers/cli.js";
import { createPm4Fixture, type Pm4Fixture } from "../helpers/pm4.js";

let fx: Pm4Fixture;
beforeAll(async () => {
  fx = await createPm4Fixture();
});
afterAll(async () => {
  await fx?.cleanup();
});

const pm = (...args: string[]) => runInProcess(["platform", ...args], { env: fx.env() });

async function admins(): Promise<string[]> {
  const r = await fx.db.query(
    "SELECT username FROM users WHERE is_administrator = 1 ORDER BY username",
  );
  return r.map((x) => String(x["username"]));
}

describe("platform super-admin", () => {
  it("refuses to remove the last active Super Admin (a BLOCKED admin does not count) and changes nothing", async () => {
    const r = await pm("super-admin", "admin", "off");
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain("PM4.LAST_SUPER_ADMIN");
    expect(r.stderr).toContain("--force");
    expect(await admins()).toEqual(["admin", "carol"]);
  });

  it("turns the flag on, then allows removing the former last admin", async () => {
    const dry = await pm("super-admin", "alice", "on", "--dry-run");
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("UPDATE users SET is_administrator = 1");
    expect(await admins()).toEqual(["admin", "carol"]);

    const on = await pm("super-admin", "alice", "on");
    expect(on.exitCode, on.stderr).toBe(0);
    expect(await admins()).toEqual(["admin", "alice", "carol"]);
    const again = await pm("super-admin", "alice", "on", "--json");
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, changed: false });

    const off = await pm("super-admin", "admin", "off");
    expect(off.exitCode, off.stderr).toBe(0);
    expect(await admins()).toEqual(["alice", "carol"]);
  });

  it("removes the last active one only with --force", async () => {
    const r = await pm("super-admin", "alice", "off", "--force");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("last active Super Admin");
    expect(await admins()).toEqual(["carol"]);
    expect((await pm("super-admin", "admin", "on")).exitCode).toBe(0);
  });

  it("refuses system and unknown users and bad switches", async () => {
    const sys = await pm("super-admin", "_pm4_anon_user", "on");
    expect(sys.exitCode).toBe(3);
    expect(sys.stderr).toContain("PM4.SYSTEM_USER");
    const deleted = await pm("super-admin", "dave", "on");
    expect(deleted.exitCode).toBe(2);
    expect(deleted.stderr).toContain("PM4.UNKNOWN_USER");
    const bad = await pm("super-admin", "bob", "yes");
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("PM4.BAD_SWITCH");
  });
});

describe("finding a ProcessMaker 4 install", () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), "pmadmin-pm4find-"));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("recognises a ProcessMaker 3 install and says so", async () => {
    const pm3 = path.join(tmp, "pm3");
    await mkdir(path.join(pm3, "workflow/engine/config"), { recursive: true });
    await writeFile(path.join(pm3, "workflow/engine/config/paths_installed.php"), "<?php\n");
    const r = await runInProcess(["platform", "permission", "list", "--install-dir", pm3]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("PM4.IS_PM3");
    expect(r.stderr).toContain("is a ProcessMaker 3 installation");
  });

  it("explains a directory without .env, and accepts --env-file", async () => {
    const r = await runInProcess(["platform", "permission", "list", "--install-dir", tmp]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("PM4.NOT_FOUND");
    const ok = await runInProcess([
      "platform",
      "permission",
      "list",
      "--env-file",
      path.join(fx.dir, ".env"),
      "--category",
      "Settings",
    ]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("update-settings");
  });

  it("names the missing tables when .env points at a non-PM4 database, without leaking the password", async () => {
    const env = path.join(tmp, "other.env");
    const t = fx.db.target;
    await writeFile(
      env,
      `DB_HOSTNAME=${t.host}\nDB_PORT=${t.port}\nDB_DATABASE=mysql\nDB_USERNAME=${t.user}\nDB_PASSWORD="${t.password}"\n`,
    );
    const r = await runInProcess(["platform", "permission", "list", "--env-file", env, "--json"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("PM4.NOT_PM4_DATABASE");
    expect(r.stdout + r.stderr).not.toContain(t.password);
    expect(r.stderr).toContain(":****@");
  });
});
