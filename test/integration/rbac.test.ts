// role / permission / user commands against a provisioned workspace with the stock RBAC seed: the
// rows they leave, the refusals that change nothing, --dry-run's SQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestInstall, FIXED_NOW, type TestInstall } from "../helpers/install.js";
import { runInProcess } from "../helpers/cli.js";
import { adminDb } from "../helpers/db.js";
import type { Db } from "../../src/db/types.js";
import { localSqlDateTime } from "../../src/db/datetime.js";

const TABLES = "RBAC_ROLES, RBAC_ROLES_PERMISSIONS, RBAC_USERS_ROLES, RBAC_USERS, USERS, CONTENT";
const OPERATOR_ROLE = "00000000000000000000000000000003";
const MANAGER_ROLE = "00000000000000000000000000000004";
const GUEST_ROLE = "00000000000000000000000000000005";
const ZOE = "1436583745f0c3c0d7a0a45026481523";
const STAMP = localSqlDateTime(FIXED_NOW);

let install: TestInstall;
let db: Db;
const pm = (...args: string[]) => runInProcess(args, { env: install.env(), now: FIXED_NOW });

async function checksum(): Promise<string> {
  return JSON.stringify(await db.query(`CHECKSUM TABLE ${TABLES}`));
}
async function perms(roleUid: string): Promise<string[]> {
  const rows = await db.query<{ c: string }>(
    "SELECT p.PER_CODE AS c FROM RBAC_ROLES_PERMISSIONS rp JOIN RBAC_PERMISSIONS p ON p.PER_UID = rp.PER_UID WHERE rp.ROL_UID = ? ORDER BY p.PER_CODE",
    [roleUid],
  );
  return rows.map((r) => r.c);
}

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 1, cases: 1 });
  db = await adminDb(install.workspaces[0]!.database);
});
afterAll(async () => {
  await db?.close();
  await install?.cleanup();
});

describe("role grant / revoke", () => {
  it("refuses an inert grant naming the companions, changing nothing (exit 2)", async () => {
    const before = await checksum();
    const r = await pm("role", "grant", "PROCESSMAKER_OPERATOR", "PM_SETUP_LANGUAGE");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("[RBAC.MISSING_REQUIRED]");
    expect(r.stderr).toContain("PM_SETUP_LANGUAGE needs PM_SETUP, PM_SETUP_ADVANCE");
    expect(r.stderr).toContain("--with-required");
    expect(await checksum()).toBe(before);
  });

  it("prints the exact SQL with --dry-run and changes nothing", async () => {
    const before = await checksum();
    const r = await pm("role", "grant", "PROCESSMAKER_OPERATOR", "PM_ALLCASES", "--dry-run");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      [
        "START TRANSACTION;",
        `INSERT INTO RBAC_ROLES_PERMISSIONS (ROL_UID, PER_UID) VALUES ('${OPERATOR_ROLE}', '00000000000000000000000000000006');`,
        "COMMIT;",
      ].join("\n"),
    );
    expect(await checksum()).toBe(before);
  });

  it("grants with --with-required, then reports 'already granted' without duplicating rows", async () => {
    const r = await pm(
      "role",
      "grant",
      "processmaker_operator",
      "PM_SETUP_LANGUAGE",
      "--with-required",
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("grant PM_SETUP to PROCESSMAKER_OPERATOR (required companion)");
    const after = await perms(OPERATOR_ROLE);
    expect(after).toHaveLength(17 + 3);
    expect(after).toEqual(
      expect.arrayContaining(["PM_SETUP", "PM_SETUP_ADVANCE", "PM_SETUP_LANGUAGE"]),
    );
    const before = await checksum();
    const again = await pm(
      "role",
      "grant",
      "PROCESSMAKER_OPERATOR",
      "PM_SETUP_LANGUAGE",
      "PM_LOGIN",
      "--json",
    );
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      ok: true,
      granted: [],
      alreadyGranted: ["PM_SETUP_LANGUAGE", "PM_LOGIN"],
    });
    expect(await checksum()).toBe(before);
  });

  it("refuses to revoke PM_LOGIN without --force (exit 3), warns on PM_SUPERVISOR, is idempotent", async () => {
    const before = await checksum();
    const login = await pm("role", "revoke", "PROCESSMAKER_MANAGER", "PM_LOGIN", "PM_SUPERVISOR");
    expect(login.exitCode).toBe(3);
    expect(login.stderr).toContain("[RBAC.REVOKE_LOGIN]");
    expect(await checksum()).toBe(before);
    const sup = await pm("role", "revoke", "PROCESSMAKER_MANAGER", "PM_SUPERVISOR");
    expect(sup.exitCode).toBe(0);
    expect(sup.stderr).toMatch(/warning: PM_SUPERVISOR revoked: .*Review/);
    expect(await perms(MANAGER_ROLE)).not.toContain("PM_SUPERVISOR");
    expect(await perms(MANAGER_ROLE)).toHaveLength(58);
    const mid = await checksum();
    const again = await pm("role", "revoke", "PROCESSMAKER_MANAGER", "PM_SUPERVISOR");
    expect([again.exitCode, again.stdout.trim()]).toEqual([
      0,
      "PM_SUPERVISOR: not granted to PROCESSMAKER_MANAGER (nothing to revoke)",
    ]);
    expect(await checksum()).toBe(mid);
  });

  it("names the closest match for unknown roles and permissions (exit 2)", async () => {
    const role = await pm("role", "grant", "PROCESSMAKER_OPERATR", "PM_CASES");
    expect([role.exitCode, role.stderr]).toEqual([
      2,
      expect.stringContaining("Did you mean 'PROCESSMAKER_OPERATOR'?"),
    ]);
    const perm = await pm("role", "revoke", "PROCESSMAKER_OPERATOR", "PM_SETUP_LOGOO");
    expect([perm.exitCode, perm.stderr]).toEqual([
      2,
      expect.stringContaining("Did you mean 'PM_SETUP_LOGO'?"),
    ]);
  });
});

describe("role create / activate / deactivate", () => {
  it("creates a role the way the Roles UI does, and refuses a taken code", async () => {
    const r = await pm(
      "role",
      "create",
      "auditor",
      "--name",
      "Case Auditor",
      "--inactive",
      "--json",
    );
    expect(r.exitCode).toBe(0);
    const uid = (JSON.parse(r.stdout) as { role: { uid: string } }).role.uid;
    expect(uid).toMatch(/^[0-9a-f]{32}$/);
    expect(await db.query("SELECT * FROM RBAC_ROLES WHERE ROL_UID = ?", [uid])).toEqual([
      {
        ROL_UID: uid,
        ROL_PARENT: "",
        ROL_SYSTEM: "00000000000000000000000000000002",
        ROL_CODE: "AUDITOR",
        ROL_CREATE_DATE: STAMP,
        ROL_UPDATE_DATE: STAMP,
        ROL_STATUS: 0,
      },
    ]);
    expect(await db.query("SELECT * FROM CONTENT WHERE CON_ID = ?", [uid])).toEqual([
      {
        CON_CATEGORY: "ROL_NAME",
        CON_PARENT: "",
        CON_ID: uid,
        CON_LANG: "en",
        CON_VALUE: "Case Auditor",
      },
    ]);
    expect(await perms(uid)).toEqual(["PM_LOGIN"]);
    const before = await checksum();
    const dup = await pm("role", "create", "Auditor");
    expect([dup.exitCode, dup.stderr]).toEqual([2, expect.stringContaining("[RBAC.ROLE_EXISTS]")]);
    expect(await checksum()).toBe(before);
    const list = JSON.parse((await pm("role", "list", "--json")).stdout) as {
      roles: Array<{ code: string; name: string; status: string; permissions: number }>;
    };
    expect(list.roles.find((x) => x.code === "AUDITOR")).toMatchObject({
      name: "Case Auditor",
      status: "inactive",
      permissions: 1,
    });
  });

  it("asks before deactivating a role users hold on a TTY; 'no' changes nothing (exit 3)", async () => {
    const before = await checksum();
    const asked: string[] = [];
    const r = await runInProcess(["role", "deactivate", "PROCESSMAKER_OPERATOR"], {
      env: install.env(),
      now: FIXED_NOW,
      stdinIsTTY: true,
      ask: (message) => {
        asked.push(message);
        return Promise.resolve(false);
      },
    });
    expect(asked).toEqual(["Deactivate PROCESSMAKER_OPERATOR?"]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain("will not be able to log in");
    expect(r.stderr).toContain("[RBAC.NOT_CONFIRMED]");
    expect(await checksum()).toBe(before);
    const yes = await runInProcess(["role", "deactivate", "PROCESSMAKER_OPERATOR", "--yes"], {
      env: install.env(),
      now: FIXED_NOW,
      stdinIsTTY: true,
    });
    expect(yes.exitCode).toBe(0);
    expect(
      await db.query("SELECT ROL_STATUS, ROL_UPDATE_DATE FROM RBAC_ROLES WHERE ROL_UID = ?", [
        OPERATOR_ROLE,
      ]),
    ).toEqual([{ ROL_STATUS: 0, ROL_UPDATE_DATE: STAMP }]);
    const user = await pm("user", "role", "sean.obrien", "PROCESSMAKER_OPERATOR");
    expect([user.exitCode, user.stderr]).toEqual([
      2,
      expect.stringContaining("[RBAC.ROLE_INACTIVE]"),
    ]);
    expect((await pm("role", "activate", "PROCESSMAKER_OPERATOR")).exitCode).toBe(0);
    expect(
      (
        await db.query<{ s: number }>("SELECT ROL_STATUS AS s FROM RBAC_ROLES WHERE ROL_UID = ?", [
          OPERATOR_ROLE,
        ])
      )[0]?.s,
    ).toBe(1);
  });
});

describe("user role / show", () => {
  it("moves USERS.USR_ROLE and RBAC_USERS_ROLES together and leaves the guest role row alone", async () => {
    await db.execute("INSERT INTO RBAC_USERS_ROLES (USR_UID, ROL_UID) VALUES (?, ?)", [
      ZOE,
      GUEST_ROLE,
    ]);
    const r = await pm("user", "role", "Zoe.Mueller", "PROCESSMAKER_MANAGER");
    expect([r.exitCode, r.stdout.trim()]).toEqual([
      0,
      "changed zoe.mueller's role: PROCESSMAKER_OPERATOR → PROCESSMAKER_MANAGER",
    ]);
    expect(
      await db.query("SELECT ROL_UID FROM RBAC_USERS_ROLES WHERE USR_UID = ? ORDER BY ROL_UID", [
        ZOE,
      ]),
    ).toEqual([{ ROL_UID: MANAGER_ROLE }, { ROL_UID: GUEST_ROLE }]);
    expect(
      await db.query("SELECT USR_ROLE, USR_UPDATE_DATE FROM USERS WHERE USR_UID = ?", [ZOE]),
    ).toEqual([{ USR_ROLE: "PROCESSMAKER_MANAGER", USR_UPDATE_DATE: STAMP }]);
    expect(
      await db.query("SELECT USR_UPDATE_DATE FROM RBAC_USERS WHERE USR_UID = ?", [ZOE]),
    ).toEqual([{ USR_UPDATE_DATE: STAMP }]);
    const shown = JSON.parse((await pm("user", "show", ZOE, "--json")).stdout) as {
      user: Record<string, unknown>;
    };
    expect(shown.user).toMatchObject({
      username: "zoe.mueller",
      role: "PROCESSMAKER_MANAGER",
      name: "Zoë Müller",
    });
    expect(JSON.stringify(shown)).not.toMatch(/[0-9a-f]{64}/);
  });

  it("refuses the guest user (exit 3) and unknown users (exit 2), changing nothing", async () => {
    const before = await checksum();
    const guest = await pm("user", "role", "guest", "PROCESSMAKER_OPERATOR");
    expect([guest.exitCode, guest.stderr]).toEqual([
      3,
      expect.stringContaining("[USER.GUEST_PROTECTED]"),
    ]);
    const unknown = await pm("user", "role", "sean.obrian", "PROCESSMAKER_OPERATOR");
    expect([unknown.exitCode, unknown.stderr]).toEqual([
      2,
      expect.stringContaining("Did you mean 'sean.obrien'?"),
    ]);
    expect(await checksum()).toBe(before);
  });
});

describe("listing", () => {
  it("shows a role with its inert grants and lists permissions with companions and roles", async () => {
    const show = await pm("role", "show", "PROCESSMAKER_MANAGER");
    expect(show.exitCode).toBe(0);
    expect(show.stdout).toMatch(/PM_SETUP_LOGO\s+inert: needs PM_SETUP/);
    expect(show.stdout).toMatch(/Users\s+2: sean\.obrien, zoe\.mueller/);
    const list = JSON.parse(
      (await pm("permission", "list", "--role", "PROCESSMAKER_GUEST", "--json")).stdout,
    ) as {
      permissions: Array<{ code: string; roles: string[] }>;
    };
    expect(list.permissions.map((p) => p.code)).toEqual(["PM_GUEST_CASE"]);
    const named = await pm("role", "list", "-w", install.workspaces[0]!.name, "--json");
    expect(named.exitCode).toBe(0);
    const wrong = await pm("role", "list", "--workspace", "nope");
    expect([wrong.exitCode, wrong.stderr]).toEqual([
      2,
      expect.stringContaining("[WORKSPACE.NOT_FOUND]"),
    ]);
    const all = await pm("permission", "list");
    expect(all.stdout).toMatch(
      /^PM_SETUP_LANGUAGE\s+PM_SETUP,PM_SETUP_ADVANCE\s+PROCESSMAKER_ADMIN,PROCESSMAKER_MANAGER,PROCESSMAKER_OPERATOR\s+manage languages$/m,
    );
  });
});
