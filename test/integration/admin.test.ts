// expire-admin / extend-admin / admin-status against two provisioned workspaces, with the clock
// injected: due dates and passwords in both tables, refusals that change nothing, exit codes.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestInstall, FIXED_NOW, type TestInstall } from "../helpers/install.js";
import { runBin, runInProcess } from "../helpers/cli.js";
import { adminDb } from "../helpers/db.js";
import type { Db } from "../../src/db/types.js";
import { localSqlDateTime } from "../../src/db/datetime.js";

const ADMIN = "00000000000000000000000000000001";
const STAMP = localSqlDateTime(FIXED_NOW);

let install: TestInstall;
let a: { name: string; db: Db };
let b: { name: string; db: Db };
const pm = (...args: string[]) => runInProcess(args, { env: install.env(), now: FIXED_NOW });

async function account(db: Db, uid = ADMIN): Promise<Array<Record<string, unknown>>> {
  const cols = "USR_DUE_DATE AS due, USR_PASSWORD AS pw, USR_UPDATE_DATE AS upd";
  return [
    ...(await db.query(`SELECT 'USERS' AS t, ${cols} FROM USERS WHERE USR_UID = ?`, [uid])),
    ...(await db.query(`SELECT 'RBAC_USERS' AS t, ${cols} FROM RBAC_USERS WHERE USR_UID = ?`, [
      uid,
    ])),
  ];
}
async function checksum(db: Db): Promise<string> {
  return JSON.stringify(await db.query("CHECKSUM TABLE USERS, RBAC_USERS"));
}
const dues = async (db: Db, uid = ADMIN) => (await account(db, uid)).map((r) => r["due"]);
const hashes = async (db: Db) => (await account(db)).map((r) => r["pw"]);

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 2, cases: 1 });
  const [w1, w2] = install.workspaces;
  a = { name: w1!.name, db: await adminDb(w1!.database) };
  b = { name: w2!.name, db: await adminDb(w2!.database) };
});
afterAll(async () => {
  await a?.db.close();
  await b?.db.close();
  await install?.cleanup();
});

describe("due dates", () => {
  it("needs the workspace when there are several (exit 2, listing them)", async () => {
    const r = await pm("extend-admin");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("[WORKSPACE.AMBIGUOUS]");
    expect(r.stderr).toContain(a.name);
    expect(r.stderr).toContain(b.name);
  });

  it("role/permission/user take -w before or after the subcommand, and need it with several workspaces", async () => {
    const ambiguous = await pm("role", "list");
    expect(ambiguous.exitCode).toBe(2);
    expect(ambiguous.stderr).toContain("[WORKSPACE.AMBIGUOUS]");
    for (const args of [
      ["role", "-w", b.name, "list", "--json"],
      ["role", "list", "-w", b.name, "--json"],
      ["permission", "-w", b.name, "list", "--json"],
      ["user", "-w", b.name, "show", "admin", "--json"],
    ]) {
      const r = await pm(...args);
      expect(r.exitCode, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect((JSON.parse(r.stdout) as { workspace: string }).workspace).toBe(b.name);
    }
  });

  it("admin commands and the workspace-list commands take -w as role/permission/user do", async () => {
    const before = await checksum(b.db);
    for (const args of [
      ["admin-status", "-w", b.name, "--json"],
      ["extend-admin", "-w", b.name, "--until", "2040-01-01", "--json"],
      ["expire-admin", "-w", b.name, "--dry-run", "--json"],
      ["check-integrity", "-w", b.name, "--check", "admin", "--json"],
      ["info", "-w", b.name, "--json"],
      ["flush-cache", "-w", b.name, "--dry-run", "--json"],
    ]) {
      const r = await pm(...args);
      expect(r.exitCode, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stdout, args.join(" ")).toContain(`"${b.name}"`);
      expect(r.stdout, args.join(" ")).not.toContain(`"${a.name}"`);
    }
    expect(await checksum(b.db)).toBe(before);
    const both = await pm("expire-admin", a.name, "-w", b.name);
    expect([both.exitCode, both.stderr]).toEqual([2, expect.stringContaining("[WORKSPACE.TWICE]")]);
    expect(await checksum(b.db)).toBe(before);
  });

  it("refuses to move the due date earlier without --force (exit 3), naming both dates", async () => {
    const before = await checksum(a.db);
    const r = await pm("extend-admin", "-w", a.name, "--days", "30");
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain("[ADMIN.DUE_DATE_EARLIER]");
    expect(r.stderr).toContain("2040-01-01");
    expect(r.stderr).toContain("2026-12-25");
    expect(r.stderr).toContain("--force");
    expect(r.stdout).toBe("");
    expect(await checksum(a.db)).toBe(before);
    const rotate = await pm("extend-admin", a.name, "--until", "2030-01-01", "--rotate-password");
    expect(rotate.exitCode).toBe(3);
    expect(await checksum(a.db)).toBe(before);
    // The 90-day default only ever extends: a later date stays, and it says so.
    const stays = await pm("extend-admin", "-w", a.name);
    expect(stays.exitCode, stays.stderr).toBe(0);
    expect(stays.stdout.trim()).toBe(`admin (${a.name}): due date already 2040-01-01`);
    expect(stays.stderr).toContain("is later than the default (2027-02-23); it stays");
    expect(await checksum(a.db)).toBe(before);
  });

  it("extends in USERS and RBAC_USERS together with USR_UPDATE_DATE and prints old → new", async () => {
    const r = await pm("extend-admin", a.name, "--days", "30", "--force");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe(`admin (${a.name}): due date 2040-01-01 → 2026-12-25`);
    const rows = await account(a.db);
    expect(rows.map((x) => [x["t"], x["due"], x["upd"]])).toEqual([
      ["USERS", "2026-12-25", STAMP],
      ["RBAC_USERS", "2026-12-25", STAMP],
    ]);
  });

  it("refuses --until before today without --force (exit 3), changing nothing", async () => {
    const before = await checksum(a.db);
    const r = await pm("extend-admin", a.name, "--until", "2026-11-01");
    expect([r.exitCode, r.stderr]).toEqual([3, expect.stringContaining("[ADMIN.DATE_IN_PAST]")]);
    expect(await checksum(a.db)).toBe(before);
    const bad = await pm("extend-admin", a.name, "--until", "2026-13-01");
    expect(bad.exitCode).toBe(2);
    expect(await checksum(a.db)).toBe(before);
  });

  it("admin-status: expiring (4), within a smaller window ok (0), expired (4), healthy (0)", async () => {
    const expiring = await pm("admin-status", a.name, "--warn-days", "30");
    expect(expiring.exitCode).toBe(4);
    expect(expiring.stdout).toMatch(
      new RegExp(`^${a.name}\\s+admin\\s+2026-12-25\\s+30\\s+expiring$`, "m"),
    );
    expect((await pm("admin-status", a.name)).exitCode).toBe(0);
    const exp = await pm("expire-admin", a.name);
    expect([exp.exitCode, exp.stdout.trim()]).toEqual([
      0,
      `admin (${a.name}): due date 2026-12-25 → 2026-11-24`,
    ]);
    expect(await dues(a.db)).toEqual(["2026-11-24", "2026-11-24"]);
    const before = await checksum(a.db);
    const again = await pm("expire-admin", a.name);
    expect([again.exitCode, again.stdout]).toEqual([0, expect.stringContaining("already expired")]);
    expect(await checksum(a.db)).toBe(before);
    const expired = await pm("admin-status", a.name, "--json");
    expect(expired.exitCode).toBe(4);
    expect(JSON.parse(expired.stdout)).toMatchObject({
      ok: false,
      workspaces: [{ workspace: a.name, state: "expired", daysLeft: -1 }],
    });
    expect((await pm("admin-status", b.name)).exitCode).toBe(0);
    expect((await pm("admin-status")).exitCode).toBe(4);
    // The clock decides: on 2039-12-20 the seeded 2040-01-01 is 12 days away.
    const later = await runInProcess(["admin-status", b.name], {
      env: install.env(),
      now: new Date(2039, 11, 20, 12),
    });
    expect(later.exitCode).toBe(4);
  });

  it("the built binary takes its clock from PMADMIN_NOW", async () => {
    const env = { ...install.env(), PMADMIN_NOW: "2039-12-31T12:00:00" };
    const r = await runBin(["admin-status", b.name, "--json"], { env });
    expect(r.exitCode).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({
      today: "2039-12-31",
      workspaces: [{ daysLeft: 1, state: "expiring" }],
    });
  });

  it("--user moves another user's dates; the guest is refused", async () => {
    const sean = "2917736165f0c3c1a9c2b78058396711";
    expect(
      (
        await pm(
          "extend-admin",
          b.name,
          "--user",
          "sean.obrien",
          "--until",
          "2027-06-30",
          "--force",
        )
      ).exitCode,
    ).toBe(0);
    expect(await dues(b.db, sean)).toEqual(["2027-06-30", "2027-06-30"]);
    const guest = await pm("expire-admin", b.name, "--user", "guest");
    expect([guest.exitCode, guest.stderr]).toEqual([
      3,
      expect.stringContaining("[USER.GUEST_PROTECTED]"),
    ]);
  });
});

describe("--rotate-password", () => {
  it("stores sha256 (the fixture's setting) in both tables and prints the password once", async () => {
    const r = await runInProcess(["extend-admin", a.name, "--rotate-password", "-v"], {
      env: install.env(),
      now: FIXED_NOW,
    });
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split("\n");
    const password = lines[lines.length - 1]!;
    expect(password).toMatch(/^\S{24}$/);
    const sha = createHash("sha256").update(password).digest("hex");
    expect(await hashes(a.db)).toEqual([sha, sha]);
    expect(await dues(a.db)).toEqual(["2027-02-23", "2027-02-23"]);
    expect(r.stderr).not.toContain(password);
    expect(r.stderr).toContain("no password history recorded");
  });

  it("with -q prints nothing but the password", async () => {
    const r = await pm("-q", "extend-admin", a.name, "--rotate-password");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\S{24}\n$/);
    const sha = createHash("sha256").update(r.stdout.trim()).digest("hex");
    expect(await hashes(a.db)).toEqual([sha, sha]);
  });

  it("in --json the password is in the document and nowhere else", async () => {
    const r = await pm("extend-admin", b.name, "--rotate-password", "--json");
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      password: string;
      algorithm: string;
      passwordHistory: string;
    };
    expect(doc.algorithm).toBe("sha256");
    expect(doc.passwordHistory).toBe("not kept");
    expect((await hashes(b.db))[1]).toBe(createHash("sha256").update(doc.password).digest("hex"));
    expect(r.stderr).not.toContain(doc.password);
  });

  it("uses md5 when the workspace is configured so, and writes --password-file with mode 0600", async () => {
    await a.db.execute(
      "UPDATE CONFIGURATION SET CFG_VALUE = ? WHERE CFG_UID = 'ENTERPRISE_SETTING_ENCRYPT' AND OBJ_UID = ''",
      ['a:2:{s:7:"current";s:3:"md5";s:8:"previous";s:6:"sha256";}'],
    );
    const file = path.join(install.root, "admin-password.txt");
    const r = await pm("extend-admin", a.name, "--rotate-password", "--password-file", file, "-q");
    expect([r.exitCode, r.stdout]).toEqual([0, ""]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const password = (await readFile(file, "utf8")).trim();
    const md5 = createHash("md5").update(password).digest("hex");
    expect(await hashes(a.db)).toEqual([md5, md5]);
  });

  it("--dry-run shows the SQL without password or hash and changes nothing", async () => {
    const before = await checksum(a.db);
    const r = await pm("extend-admin", a.name, "--rotate-password", "--dry-run");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      `UPDATE RBAC_USERS SET USR_DUE_DATE = '2027-02-23', USR_PASSWORD = '<new password hash>', USR_UPDATE_DATE = '${STAMP}' WHERE USR_UID = '${ADMIN}';`,
    );
    expect(r.stdout).not.toMatch(/USR_PASSWORD = '[0-9a-f]/);
    expect(r.stdout).toContain("due date stays 2027-02-23");
    expect(await checksum(a.db)).toBe(before);
  });

  it("records the hash in USERS_PROPERTIES.USR_PASSWORD_HISTORY when the workspace keeps one", async () => {
    await b.db.execute(
      `CREATE TABLE USERS_PROPERTIES (USR_UID varchar(32) NOT NULL DEFAULT '', USR_LAST_UPDATE_DATE datetime DEFAULT NULL,
        USR_LOGGED_NEXT_TIME int(11) DEFAULT 0, USR_PASSWORD_HISTORY mediumtext, PRIMARY KEY (USR_UID))`,
    );
    const r = await pm("extend-admin", b.name, "--rotate-password", "--json");
    const doc = JSON.parse(r.stdout) as { password: string; passwordHistory: string };
    const sha = createHash("sha256").update(doc.password).digest("hex");
    expect(doc.passwordHistory).toBe("recorded");
    expect(await b.db.query("SELECT * FROM USERS_PROPERTIES")).toEqual([
      {
        USR_UID: ADMIN,
        USR_LAST_UPDATE_DATE: STAMP,
        USR_LOGGED_NEXT_TIME: 0,
        USR_PASSWORD_HISTORY: `a:1:{i:0;s:64:"${sha}";}`,
      },
    ]);
  });
});
