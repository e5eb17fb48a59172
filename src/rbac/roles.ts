// Creating roles and switching them on and off, as ProcessMaker's Roles UI does: a new role gets a
// new UID in the PROCESSMAKER system, a CONTENT ROL_NAME row and PM_LOGIN; a status change also
// stamps ROL_UPDATE_DATE.
import { randomBytes } from "node:crypto";
import { localSqlDateTime } from "../db/datetime.js";
import { stmt, type Statement } from "../db/statement.js";
import { usage } from "../errors.js";
import { PROCESSMAKER_SYSTEM_UID } from "./permission-catalog.js";
import { CONTENT_LANG, type DbRole, type RbacState } from "./state.js";

/** RBAC_ROLES.ROL_CODE is varchar(32). */
const ROLE_CODE = /^[A-Z0-9_]{1,32}$/;

export function newUid(): string {
  return randomBytes(16).toString("hex");
}

export interface CreateRolePlan {
  uid: string;
  code: string;
  name: string;
  active: boolean;
  statements: Statement[];
}

export function planCreateRole(
  state: RbacState,
  input: { code: string; name?: string | undefined; active: boolean; now: Date; uid?: string },
): CreateRolePlan {
  const code = input.code.trim().toUpperCase();
  if (!ROLE_CODE.test(code)) {
    throw usage("RBAC.BAD_ROLE_CODE", `'${input.code}' is not a usable role code.`, {
      hint: "Use 1 to 32 letters, digits or underscores, e.g. CASE_AUDITOR (codes are stored in upper case).",
    });
  }
  const clash = state.roles.find((r) => r.code.toUpperCase() === code);
  if (clash) {
    throw usage(
      "RBAC.ROLE_EXISTS",
      `Role ${clash.code} already exists (${clash.uid}). Nothing changed.`,
      {
        hint: "Pick another code, or change the existing role with 'pmadmin role grant|revoke|activate|deactivate'.",
      },
    );
  }
  const name = (input.name ?? "").trim() || code;
  const login = state.permissions.find((p) => p.code === "PM_LOGIN")?.uid;
  if (login === undefined) {
    throw usage(
      "RBAC.COMPANION_NOT_IN_WORKSPACE",
      "PM_LOGIN does not exist in this workspace's RBAC_PERMISSIONS; a new role needs it.",
      {
        hint: "Run ProcessMaker's upgrade on the workspace so the stock permissions exist, then retry.",
      },
    );
  }
  const uid = input.uid ?? newUid();
  const now = localSqlDateTime(input.now);
  const status = input.active ? 1 : 0;
  return {
    uid,
    code,
    name,
    active: input.active,
    statements: [
      stmt(
        "INSERT INTO RBAC_ROLES (ROL_UID, ROL_PARENT, ROL_SYSTEM, ROL_CODE, ROL_CREATE_DATE, ROL_UPDATE_DATE, ROL_STATUS) VALUES (?, ?, ?, ?, ?, ?, ?)",
        uid,
        "",
        PROCESSMAKER_SYSTEM_UID,
        code,
        now,
        now,
        status,
      ),
      stmt(
        "INSERT INTO CONTENT (CON_CATEGORY, CON_PARENT, CON_ID, CON_LANG, CON_VALUE) VALUES (?, ?, ?, ?, ?)",
        "ROL_NAME",
        "",
        uid,
        CONTENT_LANG,
        name,
      ),
      stmt("INSERT INTO RBAC_ROLES_PERMISSIONS (ROL_UID, PER_UID) VALUES (?, ?)", uid, login),
    ],
  };
}

export interface RoleStatusPlan {
  role: DbRole;
  active: boolean;
  /** false when the role already has that status. */
  changes: boolean;
  statements: Statement[];
}

export function planRoleStatus(role: DbRole, active: boolean, now: Date): RoleStatusPlan {
  const status = active ? 1 : 0;
  const changes = (role.status === 1) !== active;
  return {
    role,
    active,
    changes,
    statements: changes
      ? [
          stmt(
            "UPDATE RBAC_ROLES SET ROL_STATUS = ?, ROL_UPDATE_DATE = ? WHERE ROL_UID = ?",
            status,
            localSqlDateTime(now),
            role.uid,
          ),
        ]
      : [],
  };
}
