// check-integrity on fixture workspaces: one damage of each kind injected by SQL or by deleting a
// file must be found exactly (ids and counts), a clean workspace exits 0, the ProcessMaker alias
// works, and an unreachable workspace exits 1.
import { readFile, unlink, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/types.js";
import { expectedDocPath } from "../../src/integrity/doc-paths.js";
import {
  ADMIN_USER_UID,
  PROCESSMAKER_SYSTEM_UID,
  findPermission,
} from "../../src/rbac/permission-catalog.js";
import { MANAGER_UID, OPERATOR_UID, PROCESS_UID, TASK_UIDS } from "../../src/sandbox/seed.js";
import { runInProcess } from "../helpers/cli.js";
import { adminDb } from "../helpers/db.js";
import { FIXED_NOW, createTestInstall, type TestInstall } from "../helpers/install.js";

interface Check {
  id: string;
  severity: string;
  status: string;
  count: number;
  examples: Array<Record<string, unknown>>;
}
interface Doc {
  ok: boolean;
  exitCode: number;
  workspaces: Array<{ workspace: string; error: string | null; checks: Check[] }>;
}

const GHOST = "0badc0de0badc0de0badc0de0badc0de";
const GHOST_APP = "0badcafe0badcafe0badcafe0badcafe";
const GHOST_ROLE = "0badf00d0badf00d0badf00d0badf00d";
const CUSTOM_ROLE = "c0ffee00c0ffee00c0ffee00c0ffee00";
const NO_LOGIN_USER = "5eed5eed5eed5eed5eed5eed5eed5eed";
const RBAC_ONLY_USER = "7e577e577e577e577e577e577e577e57";
// A clean fixture has no findings: the stock PROCESSMAKER_MANAGER's PM_SETUP_* permissions without
// PM_SETUP (and PM_DELETE_PROCESS_CASES without PM_FACTORY) are how ProcessMaker ships the role.

let install: TestInstall;
let damaged: string;
let clean: string;
let db: Db;

const run = (...args: string[]) =>
  runInProcess(["check-integrity", ...args], { env: install.env(), now: FIXED_NOW });

function parse(stdout: string): Doc {
  return JSON.parse(stdout) as Doc;
}

/** id → count of every check that found something; failed/skipped checks fail the test loudly. */
function found(doc: Doc): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of doc.workspaces[0]?.checks ?? []) {
    expect([c.id, c.status]).not.toEqual([c.id, "failed"]);
    expect([c.id, c.status]).not.toEqual([c.id, "skipped"]);
    if (c.status === "problems") out[c.id] = c.count;
  }
  return out;
}

async function appUids(): Promise<string[]> {
  const rows = await db.query<{ u: string }>(
    "SELECT APP_UID AS u FROM APPLICATION ORDER BY APP_NUMBER",
  );
  return rows.map((r) => r.u);
}

async function injectDamage(siteDir: string): Promise<void> {
  const apps = await appUids();
  const [a, b, c, d, e, f] = apps;
  // storage: a view whose table was dropped (CHECK TABLE errors), and a required table gone.
  await db.execute("CREATE TABLE ZZ_GONE (a int)");
  await db.execute("CREATE VIEW ZZ_BROKEN_VIEW AS SELECT a FROM ZZ_GONE");
  await db.execute("DROP TABLE ZZ_GONE");
  await db.execute("DROP TABLE GROUP_USER");
  // references
  await db.execute("UPDATE APP_CACHE_VIEW SET TAS_UID = ? WHERE APP_UID = ? AND DEL_INDEX = 1", [
    GHOST,
    a,
  ]);
  await db.execute("UPDATE APP_CACHE_VIEW SET PRO_UID = ? WHERE APP_UID = ? AND DEL_INDEX = 1", [
    GHOST,
    b,
  ]);
  await db.execute("DELETE FROM APP_DELEGATION WHERE APP_UID = ? AND DEL_INDEX = 1", [c]);
  // One realistic damage, two findings: the delegation's user vanishes and the
  // APP_DELEGATION_UPDATE trigger carries the dangling UID into APP_CACHE_VIEW.
  await db.execute("UPDATE APP_DELEGATION SET USR_UID = ? WHERE APP_UID = ? AND DEL_INDEX = 1", [
    GHOST,
    d,
  ]);
  await db.execute("UPDATE APP_DELEGATION SET TAS_UID = ? WHERE APP_UID = ? AND DEL_INDEX = 1", [
    GHOST,
    e,
  ]);
  await db.execute(
    `INSERT INTO APP_DELEGATION (APP_UID, DEL_INDEX, PRO_UID, TAS_UID, USR_UID, DEL_DELEGATE_DATE, DEL_DATA)
     VALUES (?, 1, ?, ?, ?, '2026-01-01 00:00:00', '')`,
    [GHOST_APP, PROCESS_UID, TASK_UIDS[0], ADMIN_USER_UID],
  );
  await db.execute(
    `INSERT INTO APP_DOCUMENT (APP_DOC_UID, APP_DOC_FILENAME, DOC_VERSION, APP_UID, APP_DOC_CREATE_DATE, APP_DOC_INDEX, APP_DOC_STATUS)
     VALUES (?, 'lost.pdf', 1, ?, '2026-01-01 00:00:00', 1, 'DELETED')`,
    [GHOST, GHOST_APP],
  );
  await db.execute("UPDATE APPLICATION SET PRO_UID = ? WHERE APP_UID = ?", [GHOST, f]);
  // files: one active document loses its file, another file loses its row.
  const docs = await db.query<{
    APP_DOC_UID: string;
    DOC_VERSION: number;
    APP_UID: string;
    APP_DOC_FILENAME: string;
  }>(
    "SELECT APP_DOC_UID, DOC_VERSION, APP_UID, APP_DOC_FILENAME FROM APP_DOCUMENT WHERE APP_DOC_STATUS = 'ACTIVE' ORDER BY APP_DOC_UID, DOC_VERSION",
  );
  const [lost, unreferenced] = [
    docs[0]!,
    docs.find((x) => x.APP_DOC_UID !== docs[0]!.APP_DOC_UID)!,
  ];
  const ref = (x: typeof lost) => ({
    appUid: x.APP_UID,
    appDocUid: x.APP_DOC_UID,
    version: Number(x.DOC_VERSION),
  });
  await unlink(path.join(siteDir, expectedDocPath(ref(lost), lost.APP_DOC_FILENAME)));
  await db.execute("DELETE FROM APP_DOCUMENT WHERE APP_DOC_UID = ? AND DOC_VERSION = ?", [
    unreferenced.APP_DOC_UID,
    unreferenced.DOC_VERSION,
  ]);
  // rbac
  await db.execute(
    `INSERT INTO USERS (USR_UID, USR_USERNAME, USR_DUE_DATE, USR_CREATE_DATE, USR_UPDATE_DATE)
     VALUES (?, 'no.login', '2035-01-01', NOW(), NOW())`,
    [NO_LOGIN_USER],
  );
  await db.execute(
    "INSERT INTO RBAC_USERS (USR_UID, USR_USERNAME, USR_DUE_DATE) VALUES (?, 'rbac.only', '2035-01-01')",
    [RBAC_ONLY_USER],
  );
  await db.execute("UPDATE USERS SET USR_ROLE = 'PROCESSMAKER_MANAGER' WHERE USR_UID = ?", [
    OPERATOR_UID,
  ]);
  await db.execute("INSERT INTO RBAC_USERS_ROLES (USR_UID, ROL_UID) VALUES (?, ?)", [
    MANAGER_UID,
    GHOST_ROLE,
  ]);
  await db.execute("UPDATE RBAC_ROLES SET ROL_STATUS = 0 WHERE ROL_CODE = 'PROCESSMAKER_OPERATOR'");
  await db.execute(
    "INSERT INTO RBAC_ROLES (ROL_UID, ROL_SYSTEM, ROL_CODE, ROL_STATUS) VALUES (?, ?, 'CUSTOM_NO_LOGIN', 1)",
    [CUSTOM_ROLE, PROCESSMAKER_SYSTEM_UID],
  );
  for (const code of ["PM_ALLCASES", "PM_FOLDERS_VIEW"]) {
    await db.execute("INSERT INTO RBAC_ROLES_PERMISSIONS (ROL_UID, PER_UID) VALUES (?, ?)", [
      CUSTOM_ROLE,
      findPermission(code)!.uid,
    ]);
  }
  await db.execute("UPDATE RBAC_USERS SET USR_DUE_DATE = '2031-01-01' WHERE USR_UID = ?", [
    MANAGER_UID,
  ]);
  await db.execute("UPDATE USERS SET USR_STATUS = 'INACTIVE' WHERE USR_UID = ?", [MANAGER_UID]);
  // admin: due yesterday in both tables (so no due-date mismatch on top).
  for (const t of ["USERS", "RBAC_USERS"]) {
    await db.execute(`UPDATE ${t} SET USR_DUE_DATE = '2026-11-24' WHERE USR_UID = ?`, [
      ADMIN_USER_UID,
    ]);
  }
}

const EXPECTED: Record<string, number> = {
  "storage.check-table": 1,
  "storage.missing-tables": 1,
  "references.acv-missing-user": 1,
  "references.acv-missing-task": 1,
  "references.acv-missing-process": 1,
  "references.acv-missing-delegation": 1,
  "references.delegation-missing-case": 1,
  "references.delegation-missing-task": 1,
  "references.delegation-missing-user": 1,
  "references.document-missing-case": 1,
  "references.case-missing-process": 1,
  "rbac.user-missing-rbac-user": 1,
  "rbac.rbac-user-missing-user": 1,
  "rbac.role-mismatch": 1,
  "rbac.user-on-missing-role": 1,
  "rbac.user-on-inactive-role": 1,
  "rbac.role-without-login": 1,
  "rbac.due-date-mismatch": 1,
  "rbac.status-mismatch": 1,
  "rbac.inert-grant": 1,
  "rbac.advisory-companion": 1,
  "files.missing": 1,
  "files.orphaned": 1,
  "admin.expired": 1,
};

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 2, cases: 12 });
  damaged = install.workspaces[0]!.name;
  clean = install.workspaces[1]!.name;
  db = await adminDb(install.workspaces[0]!.database);
  await injectDamage(install.workspaces[0]!.siteDir);
});
afterAll(async () => {
  await db?.close();
  await install?.cleanup();
});

describe("check-integrity on a damaged workspace", () => {
  it("finds exactly the injected problems, with their ids and counts, and exits 4", async () => {
    const r = await run(damaged, "--json");
    expect(r.stderr).not.toContain("error [");
    const doc = parse(r.stdout);
    expect(found(doc)).toEqual(EXPECTED);
    expect(r.exitCode).toBe(4);
    expect(doc.exitCode).toBe(4);
  });

  it("names the offending rows in the examples", async () => {
    const doc = parse((await run(damaged, "--json")).stdout);
    const check = (id: string) => doc.workspaces[0]!.checks.find((c) => c.id === id)!;
    expect(check("storage.missing-tables").examples).toEqual([{ TABLE: "GROUP_USER" }]);
    expect(check("storage.check-table").examples[0]).toMatchObject({
      TABLE: "ZZ_BROKEN_VIEW",
      TYPE: "VIEW",
    });
    expect(check("references.acv-missing-user").examples[0]).toMatchObject({
      USR_UID: GHOST,
      DEL_INDEX: 1,
    });
    expect(check("references.delegation-missing-case").examples[0]).toMatchObject({
      APP_UID: GHOST_APP,
    });
    expect(check("rbac.role-mismatch").examples[0]).toMatchObject({
      USR_UID: OPERATOR_UID,
      USR_ROLE: "PROCESSMAKER_MANAGER",
    });
    expect(check("rbac.user-on-missing-role").examples[0]).toMatchObject({
      USR_UID: MANAGER_UID,
      ROL_UID: GHOST_ROLE,
    });
    expect(check("rbac.role-without-login").examples[0]).toMatchObject({
      ROL_CODE: "CUSTOM_NO_LOGIN",
    });
    expect(check("rbac.inert-grant").examples[0]).toEqual({
      ROLE: "CUSTOM_NO_LOGIN",
      PERMISSION: "PM_ALLCASES",
      MISSING: "PM_CASES",
    });
    expect(check("admin.expired").examples[0]).toMatchObject({
      USR_DUE_DATE: "2026-11-24",
      DAYS_LEFT: -1,
    });
  });

  it("prints a text report grouped by check with counts, examples and what to do", async () => {
    const r = await run(damaged);
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toContain("ERROR   references.acv-missing-task: 1 found");
    expect(r.stdout).toContain("WARNING rbac.inert-grant: 1 found");
    expect(r.stdout).toMatch(/e\.g\. TABLE=GROUP_USER/);
    expect(r.stdout).toContain("fix: ");
    expect(r.stdout).toContain("PROBLEMS: 21 errors, 3 warnings, 2 passed (of 26 checks)");
  });

  it("runs only the checks named with --check (ids or areas)", async () => {
    const r = await run(
      damaged,
      "--json",
      "--check",
      "references.case-missing-process",
      "--check",
      "admin",
    );
    const doc = parse(r.stdout);
    expect(doc.workspaces[0]!.checks.map((c) => c.id)).toEqual([
      "references.case-missing-process",
      "admin.missing",
      "admin.expired",
      "admin.expiring",
    ]);
    expect(found(doc)).toEqual({ "references.case-missing-process": 1, "admin.expired": 1 });
    expect(r.exitCode).toBe(4);
  });

  it("refuses an unknown check id with a suggestion (exit 2)", async () => {
    const r = await run(damaged, "--check", "rbac.role-mismatc");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("INTEGRITY.UNKNOWN_CHECK");
    expect(r.stderr).toContain("rbac.role-mismatch");
  });

  it("changes nothing in the database", async () => {
    const before = await db.query(
      "CHECKSUM TABLE APPLICATION, APP_DELEGATION, APP_CACHE_VIEW, APP_DOCUMENT, USERS, RBAC_USERS",
    );
    await run(damaged, "--json");
    const after = await db.query(
      "CHECKSUM TABLE APPLICATION, APP_DELEGATION, APP_CACHE_VIEW, APP_DOCUMENT, USERS, RBAC_USERS",
    );
    expect(after).toEqual(before);
  });
});

describe("check-integrity on a clean workspace", () => {
  it("a freshly provisioned stock workspace has no findings at all (exit 0)", async () => {
    const r = await run(clean, "--json");
    const doc = parse(r.stdout);
    expect(found(doc)).toEqual({});
    expect(r.exitCode).toBe(0);
    expect(doc.ok).toBe(true);
    const text = await run(clean);
    expect(text.stdout).toMatch(/OK: 0 errors, 0 warnings, 26 passed \(of 26 checks\)/);
  });

  it("answers to ProcessMaker's name database-verify-consistency", async () => {
    const r = await runInProcess(["database-verify-consistency", clean], {
      env: install.env(),
      now: FIXED_NOW,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("OK: 0 errors, 0 warnings");
  });

  it("warns (exit 0) when the admin expires within 14 days", async () => {
    const cdb = await adminDb(install.workspaces[1]!.database);
    try {
      await cdb.execute("UPDATE RBAC_USERS SET USR_DUE_DATE = '2026-12-01' WHERE USR_UID = ?", [
        ADMIN_USER_UID,
      ]);
      const r = await run(clean, "--json", "--check", "admin");
      expect(found(parse(r.stdout))).toEqual({ "admin.expiring": 1 });
      expect(r.exitCode).toBe(0);
    } finally {
      await cdb.execute("UPDATE RBAC_USERS SET USR_DUE_DATE = '2040-01-01' WHERE USR_UID = ?", [
        ADMIN_USER_UID,
      ]);
      await cdb.close();
    }
  });

  it("reports real table corruption found by CHECK TABLE (MyISAM data file truncated)", async (ctx) => {
    const cdb = await adminDb(install.workspaces[1]!.database);
    try {
      const [row] = await cdb.query<{ d: string }>("SELECT @@datadir AS d");
      const file = path.join(row!.d, install.workspaces[1]!.database, "ZZ_CRASHED.MYD");
      await cdb.execute("CREATE TABLE ZZ_CRASHED (a int, b varchar(20)) ENGINE=MyISAM");
      await cdb.execute("INSERT INTO ZZ_CRASHED VALUES (1,'x'),(2,'y'),(3,'z')");
      await cdb.execute("FLUSH TABLES ZZ_CRASHED");
      const data = await readFile(file).catch(() => null);
      if (data === null) ctx.skip(); // the test server's datadir is not on this machine
      await writeFile(file, data!.subarray(0, 5));
      const r = await run(clean, "--json", "--check", "storage.check-table");
      expect(found(parse(r.stdout))).toEqual({ "storage.check-table": 1 });
      expect(r.exitCode).toBe(4);
    } finally {
      await cdb.execute("DROP TABLE IF EXISTS ZZ_CRASHED");
      await cdb.close();
    }
  });
});

describe("check-integrity that cannot run", () => {
  it("exits 1 when a workspace's database refuses its credentials", async () => {
    const site = path.join(install.sharedDir, "sites", "unreachable");
    await mkdir(site, { recursive: true });
    const dbPhp = await readFile(path.join(install.workspaces[1]!.siteDir, "db.php"), "utf8");
    await writeFile(
      path.join(site, "db.php"),
      dbPhp.replace(/define \('DB_PASS',\s*'[^']*'/, "define ('DB_PASS', 'wrong-password'"),
    );
    const r = await run("unreachable", "--json");
    expect(r.exitCode).toBe(1);
    const doc = parse(r.stdout);
    expect(doc.workspaces[0]!.error).toMatch(/Access denied|refused/i);
  });
});
