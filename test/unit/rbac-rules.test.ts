// The grant/revoke/role/user rules as pure functions over a stock RBAC state built from the catalog.
import { describe, expect, it } from "vitest";
import { planGrant, planRevoke, inertGrants } from "../../src/rbac/grants.js";
import { planCreateRole, planRoleStatus } from "../../src/rbac/roles.js";
import { planUserRole, type DbUser } from "../../src/rbac/users.js";
import { heldBy, resolvePermission, resolveRole, type RbacState } from "../../src/rbac/state.js";
import {
  PERMISSIONS,
  ROLES,
  STOCK_ROLE_PERMISSIONS,
  GUEST_ROLE_UID,
  GUEST_USER_UID,
} from "../../src/rbac/permission-catalog.js";
import { renderStatement } from "../../src/db/statement.js";
import type { PmError } from "../../src/errors.js";

function stockState(): RbacState {
  const permissions = PERMISSIONS.map((p) => ({
    uid: p.uid,
    code: p.code,
    status: p.stockStatus,
    contentName: null,
    catalog: p,
  }));
  const grants = new Map<string, Set<string>>();
  for (const r of ROLES) {
    grants.set(
      r.uid,
      new Set(
        (STOCK_ROLE_PERMISSIONS[r.code] ?? []).map(
          (c) => PERMISSIONS.find((p) => p.code === c)!.uid,
        ),
      ),
    );
  }
  const roles = ROLES.map((r) => ({
    uid: r.uid,
    code: r.code,
    system: r.systemUid,
    status: 1,
    name: r.name ?? r.code,
    users: 1,
  }));
  return { roles, permissions, grants };
}

function thrown(fn: () => unknown): PmError {
  try {
    fn();
  } catch (e) {
    return e as PmError;
  }
  throw new Error("expected a throw");
}

const NOW = new Date(2026, 10, 25, 12, 0, 0);

describe("role grant rules", () => {
  const state = stockState();
  const operator = resolveRole(state, "processmaker_operator");
  const perm = (c: string) => resolvePermission(state, c);

  it("refuses an inert grant naming the missing companions (exit 2), adds them with --with-required", () => {
    const e = thrown(() =>
      planGrant(state, operator, [perm("PM_SETUP_LANGUAGE")], { withRequired: false }),
    );
    expect(e.code).toBe("RBAC.MISSING_REQUIRED");
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain("PM_SETUP_LANGUAGE needs PM_SETUP, PM_SETUP_ADVANCE");
    const plan = planGrant(state, operator, [perm("PM_SETUP_LANGUAGE")], { withRequired: true });
    expect(plan.add.map((p) => p.code)).toEqual([
      "PM_SETUP_LANGUAGE",
      "PM_SETUP",
      "PM_SETUP_ADVANCE",
    ]);
    expect(renderStatement(plan.statements[0]!)).toBe(
      `INSERT INTO RBAC_ROLES_PERMISSIONS (ROL_UID, PER_UID) VALUES ('${operator.uid}', '00000000000000000000000000000030');`,
    );
  });

  it("is satisfied by companions named in the same grant, and reports what is already granted", () => {
    const plan = planGrant(
      state,
      operator,
      [perm("PM_ALLCASES"), perm("PM_CASES"), perm("PM_LOGIN")],
      { withRequired: false },
    );
    expect(plan.add.map((p) => p.code)).toEqual(["PM_ALLCASES"]);
    expect(plan.already.map((p) => p.code)).toEqual(["PM_CASES", "PM_LOGIN"]);
  });

  it("gives advice, not errors, for menu-implied companions", () => {
    const guest = resolveRole(state, "PROCESSMAKER_GUEST");
    const plan = planGrant(state, guest, [perm("PM_FOLDERS_VIEW")], { withRequired: false });
    expect(plan.warnings.join("\n")).toMatch(/PM_FOLDERS_VIEW .*PM_CASES/);
    expect(plan.warnings.join("\n")).toMatch(/does not hold PM_LOGIN/);
  });

  it("refuses to revoke PM_LOGIN without --force (exit 3); warns for PM_SUPERVISOR and companions", () => {
    const admin = resolveRole(state, "PROCESSMAKER_ADMIN");
    const e = thrown(() => planRevoke(state, admin, [perm("PM_LOGIN")], { force: false }));
    expect([e.code, e.exitCode]).toEqual(["RBAC.REVOKE_LOGIN", 3]);
    const forced = planRevoke(state, admin, [perm("PM_LOGIN")], { force: true });
    expect(forced.statements).toHaveLength(1);
    expect(forced.warnings.join("\n")).toContain("can no longer log in");
    const plan = planRevoke(
      state,
      admin,
      [perm("PM_SUPERVISOR"), perm("PM_SETUP"), perm("PM_GUEST_CASE")],
      { force: false },
    );
    expect(plan.remove.map((p) => p.code)).toEqual(["PM_SUPERVISOR", "PM_SETUP"]);
    expect(plan.notHeld.map((p) => p.code)).toEqual(["PM_GUEST_CASE"]);
    expect(plan.warnings.join("\n")).toContain("Review");
    expect(plan.warnings.join("\n")).toContain("PM_SETUP_LOGO becomes inert");
  });

  it("flags the stock manager's inert PM_SETUP_* grants", () => {
    const manager = resolveRole(state, "PROCESSMAKER_MANAGER");
    const inert = inertGrants(state, heldBy(state, manager.uid)).map((i) => i.permission.code);
    expect(inert).toContain("PM_SETUP_LOGO");
    expect(inert).not.toContain("PM_CASES");
  });

  it("suggests the closest role and permission", () => {
    expect(thrown(() => resolveRole(state, "PROCESSMAKER_OPERATR")).message).toContain(
      "Did you mean 'PROCESSMAKER_OPERATOR'?",
    );
    const e = thrown(() => resolvePermission(state, "PM_SETUP_LOGOO"));
    expect([e.code, e.exitCode]).toEqual(["RBAC.UNKNOWN_PERMISSION", 2]);
    expect(e.message).toContain("'PM_SETUP_LOGO'");
  });
});

describe("role create and status", () => {
  const state = stockState();
  it("plans RBAC_ROLES, CONTENT ROL_NAME and PM_LOGIN rows", () => {
    const plan = planCreateRole(state, {
      code: "auditor",
      name: "Case auditor",
      active: true,
      now: NOW,
      uid: "a".repeat(32),
    });
    expect(plan.statements.map(renderStatement)).toEqual([
      `INSERT INTO RBAC_ROLES (ROL_UID, ROL_PARENT, ROL_SYSTEM, ROL_CODE, ROL_CREATE_DATE, ROL_UPDATE_DATE, ROL_STATUS) VALUES ('${"a".repeat(32)}', '', '00000000000000000000000000000002', 'AUDITOR', '2026-11-25 12:00:00', '2026-11-25 12:00:00', 1);`,
      `INSERT INTO CONTENT (CON_CATEGORY, CON_PARENT, CON_ID, CON_LANG, CON_VALUE) VALUES ('ROL_NAME', '', '${"a".repeat(32)}', 'en', 'Case auditor');`,
      `INSERT INTO RBAC_ROLES_PERMISSIONS (ROL_UID, PER_UID) VALUES ('${"a".repeat(32)}', '00000000000000000000000000000001');`,
    ]);
    expect(planCreateRole(state, { code: "X", active: true, now: NOW }).uid).toMatch(
      /^[0-9a-f]{32}$/,
    );
  });
  it("refuses a taken or malformed code", () => {
    expect(
      thrown(() => planCreateRole(state, { code: "processmaker_admin", active: true, now: NOW }))
        .code,
    ).toBe("RBAC.ROLE_EXISTS");
    expect(
      thrown(() => planCreateRole(state, { code: "bad code", active: true, now: NOW })).code,
    ).toBe("RBAC.BAD_ROLE_CODE");
  });
  it("changes status only when it differs", () => {
    const role = resolveRole(state, "PROCESSMAKER_OPERATOR");
    expect(planRoleStatus(role, true, NOW).statements).toEqual([]);
    expect(planRoleStatus(role, false, NOW).statements).toHaveLength(1);
  });
});

describe("user role", () => {
  const state = stockState();
  const side = {
    username: "u",
    status: "ACTIVE",
    dueDate: "2030-01-01",
    password: "",
    updateDate: null,
  };
  const user = (uid: string, roles: DbUser["roles"], usrRole: string): DbUser => ({
    uid,
    username: "u",
    firstName: "",
    lastName: "",
    email: "",
    usrRole,
    lastLogin: null,
    wf: side,
    rbac: { ...side, status: "1" },
    roles,
  });
  const operator = ROLES.find((r) => r.code === "PROCESSMAKER_OPERATOR")!;
  const manager = resolveRole(state, "PROCESSMAKER_MANAGER");

  it("replaces the role of the same system, keeps the guest role row, stamps both tables", () => {
    const u = user(
      "u".repeat(32),
      [
        { uid: operator.uid, code: operator.code, system: operator.systemUid, status: 1 },
        { uid: GUEST_ROLE_UID, code: "PROCESSMAKER_GUEST", system: operator.systemUid, status: 1 },
      ],
      "PROCESSMAKER_OPERATOR",
    );
    const plan = planUserRole(u, manager, NOW);
    expect(plan.statements.map((s) => s.sql)).toEqual([
      "DELETE FROM RBAC_USERS_ROLES WHERE USR_UID = ? AND ROL_UID = ?",
      "INSERT INTO RBAC_USERS_ROLES (USR_UID, ROL_UID) VALUES (?, ?)",
      "UPDATE USERS SET USR_ROLE = ?, USR_UPDATE_DATE = ? WHERE USR_UID = ?",
      "UPDATE RBAC_USERS SET USR_UPDATE_DATE = ? WHERE USR_UID = ?",
    ]);
    expect(plan.statements[0]!.params).toEqual(["u".repeat(32), operator.uid]);
  });

  it("refuses the guest user (3) and inactive roles (2); is idempotent", () => {
    expect(thrown(() => planUserRole(user(GUEST_USER_UID, [], "X"), manager, NOW)).exitCode).toBe(
      3,
    );
    expect(
      thrown(() => planUserRole(user("u".repeat(32), [], "X"), { ...manager, status: 0 }, NOW))
        .code,
    ).toBe("RBAC.ROLE_INACTIVE");
    const u = user(
      "u".repeat(32),
      [{ uid: manager.uid, code: manager.code, system: manager.system, status: 1 }],
      manager.code,
    );
    expect(planUserRole(u, manager, NOW).changes).toBe(false);
  });
});
