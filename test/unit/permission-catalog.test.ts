import { describe, expect, it } from "vitest";
import {
  ADMIN_USER_UID,
  GUEST_ROLE_UID,
  GUEST_USER_UID,
  PERMISSIONS,
  ROLES,
  STOCK_ROLE_PERMISSIONS,
  SYSTEMS,
  findPermission,
  findRole,
} from "../../src/rbac/permission-catalog.js";

const codes = new Set(PERMISSIONS.map((p) => p.code));

describe("permission catalog", () => {
  it("holds the 67 ProcessMaker 3.3 permissions in UID order", () => {
    expect(PERMISSIONS).toHaveLength(67);
    PERMISSIONS.forEach((p, i) => {
      expect(p.uid).toMatch(/^0{30}\d{2}$/);
      expect(Number(p.uid)).toBe(i + 1);
    });
    expect(new Set(PERMISSIONS.map((p) => p.uid)).size).toBe(67);
    expect(codes.size).toBe(67);
  });

  it("places well-known codes at their seed numbers", () => {
    expect(findPermission("PM_LOGIN")?.uid).toBe("00000000000000000000000000000001");
    expect(findPermission("PM_SETUP_ADVANCE")?.uid).toBe("00000000000000000000000000000010");
    expect(findPermission("PM_EDIT_USER_PROFILE_FIRST_NAME")?.uid).toBe(
      "00000000000000000000000000000040",
    );
    expect(findPermission("PM_EDIT_USER_PROFILE_DEFAULT_CASES_MENU_OPTIONS")?.uid).toBe(
      "00000000000000000000000000000063",
    );
    expect(findPermission("PM_GUEST_CASE")?.uid).toBe("00000000000000000000000000000066");
    expect(findPermission("PM_SETUP_LOG_FILES")?.uid).toBe("00000000000000000000000000000067");
    expect(findPermission("PM_NOPE")).toBeUndefined();
  });

  it("disables only PM_REPORTS and PM_DELETECASE in the stock seed", () => {
    expect(PERMISSIONS.filter((p) => p.stockStatus === 0).map((p) => p.code)).toEqual([
      "PM_REPORTS",
      "PM_DELETECASE",
    ]);
  });

  it("names only existing permissions as companions, never the permission itself", () => {
    for (const p of PERMISSIONS) {
      for (const c of [...p.requires, ...p.advisory]) {
        expect(codes.has(c), `${p.code} → ${c}`).toBe(true);
        expect(c).not.toBe(p.code);
      }
    }
    expect(findPermission("PM_SETUP_USERS_AUTHENTICATION_SOURCES")?.requires).toEqual([
      "PM_SETUP",
      "PM_SETUP_ADVANCE",
      "PM_USERS",
    ]);
    // Parenthesised companions in the docs are advice, not requirements.
    expect(findPermission("PM_FOLDERS_VIEW")).toMatchObject({
      requires: [],
      advisory: ["PM_CASES"],
    });
    expect(findPermission("PM_DELETE_PROCESS_CASES")).toMatchObject({
      requires: [],
      advisory: ["PM_FACTORY"],
    });
    expect(findPermission("PM_REPORTS")?.description).toBeNull();
  });

  it("has the five stock roles and two systems", () => {
    expect(ROLES.map((r) => r.code)).toEqual([
      "RBAC_ADMIN",
      "PROCESSMAKER_ADMIN",
      "PROCESSMAKER_OPERATOR",
      "PROCESSMAKER_MANAGER",
      "PROCESSMAKER_GUEST",
    ]);
    expect(findRole("PROCESSMAKER_GUEST")?.uid).toBe(GUEST_ROLE_UID);
    expect(findRole("RBAC_ADMIN")?.systemUid).toBe(SYSTEMS[0]?.uid);
    expect(ROLES.filter((r) => r.name !== null).map((r) => r.name)).toEqual([
      "System Administrator",
      "Operator",
      "Manager",
    ]);
    expect(SYSTEMS.map((s) => s.code)).toEqual(["RBAC", "PROCESSMAKER"]);
    expect(ADMIN_USER_UID).toBe("00000000000000000000000000000001");
    expect(GUEST_USER_UID).toBe("00000000000000000000000000000002");
  });

  it("maps stock roles to 0/66/17/59/1 permissions, all of them known", () => {
    const counts = ROLES.map((r) => STOCK_ROLE_PERMISSIONS[r.code]?.length);
    expect(counts).toEqual([0, 66, 17, 59, 1]);
    for (const list of Object.values(STOCK_ROLE_PERMISSIONS)) {
      expect(new Set(list).size).toBe(list.length);
      for (const c of list) expect(codes.has(c)).toBe(true);
    }
    expect(STOCK_ROLE_PERMISSIONS.PROCESSMAKER_ADMIN).not.toContain("PM_GUEST_CASE");
    expect(STOCK_ROLE_PERMISSIONS.PROCESSMAKER_GUEST).toEqual(["PM_GUEST_CASE"]);
    const manager = STOCK_ROLE_PERMISSIONS.PROCESSMAKER_MANAGER ?? [];
    for (const c of [
      "PM_SETUP",
      "PM_FACTORY",
      "PM_SETUP_ADVANCE",
      "PM_WEBDAV",
      "PM_REASSIGNCASE_SUPERVISOR",
    ]) {
      expect(manager).not.toContain(c);
    }
    expect(STOCK_ROLE_PERMISSIONS.PROCESSMAKER_OPERATOR).toEqual(
      expect.arrayContaining([
        "PM_LOGIN",
        "PM_CASES",
        "PM_EDIT_USER_PROFILE_PHOTO",
        "PM_EDIT_USER_PROFILE_PASSWORD",
      ]),
    );
    expect(STOCK_ROLE_PERMISSIONS.PROCESSMAKER_OPERATOR).not.toContain("PM_EDIT_USER_PROFILE_ROLE");
  });

  it("gives every stock ProcessMaker role except the guest PM_LOGIN", () => {
    for (const code of ["PROCESSMAKER_ADMIN", "PROCESSMAKER_OPERATOR", "PROCESSMAKER_MANAGER"]) {
      expect(STOCK_ROLE_PERMISSIONS[code]).toContain("PM_LOGIN");
    }
  });
});
