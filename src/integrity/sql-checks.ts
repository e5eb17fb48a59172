// The reference and RBAC checks that are one anti-join each. Every check is a FROM…WHERE body run
// twice at most: COUNT(*) over it, then (only when the count is not zero) the first examples in a
// stable order. Each join probes a primary key, so a check is one pass over its driving table —
// linear in rows, no per-row round trips. ProcessMaker's own database-verify-consistency joined on
// the wrong columns (processmaker-3.md §5.3); these join on the columns it meant.
import { GUEST_ROLE_UID, PROCESSMAKER_SYSTEM_UID } from "../rbac/permission-catalog.js";
import type { CheckDef } from "./types.js";

export interface SqlSpec {
  /** `FROM … WHERE …` selecting exactly the offending rows. */
  body: string;
  /** Columns shown as examples, aliased to readable names. */
  columns: string;
  orderBy: string;
}

export type SqlCheckDef = CheckDef & { sql: SqlSpec };

const ACV = "APP_CACHE_VIEW";
const acvColumns = "a.APP_UID, a.DEL_INDEX, a.APP_NUMBER";
const delColumns = "d.APP_UID, d.DEL_INDEX, d.APP_NUMBER";

const REBUILD_ACV =
  "Rebuild the cases list cache (ADMIN > Settings > Cases List Cache Builder, or `processmaker cacheview-repair`) after restoring or recreating the missing rows.";

export const REFERENCE_CHECKS: readonly SqlCheckDef[] = [
  {
    id: "references.acv-missing-user",
    area: "references",
    severity: "error",
    title: "cases list rows (APP_CACHE_VIEW) assigned to a user that does not exist",
    fix: `Reassign those cases to an existing user, or restore the deleted user. ${REBUILD_ACV}`,
    tables: [ACV, "USERS"],
    // An empty USR_UID is an unassigned (self-service) row, not a broken reference.
    sql: {
      body: `FROM ${ACV} a LEFT JOIN USERS u ON u.USR_UID = a.USR_UID WHERE a.USR_UID <> '' AND u.USR_UID IS NULL`,
      columns: `${acvColumns}, a.USR_UID`,
      orderBy: "a.APP_UID, a.DEL_INDEX",
    },
  },
  {
    id: "references.acv-missing-task",
    area: "references",
    severity: "error",
    title: "cases list rows (APP_CACHE_VIEW) whose task does not exist",
    fix: `Re-import the process that defined the task, or delete the orphaned cases. ${REBUILD_ACV}`,
    tables: [ACV, "TASK"],
    sql: {
      body: `FROM ${ACV} a LEFT JOIN TASK t ON t.TAS_UID = a.TAS_UID WHERE t.TAS_UID IS NULL`,
      columns: `${acvColumns}, a.TAS_UID`,
      orderBy: "a.APP_UID, a.DEL_INDEX",
    },
  },
  {
    id: "references.acv-missing-process",
    area: "references",
    severity: "error",
    title: "cases list rows (APP_CACHE_VIEW) whose process does not exist",
    fix: `Re-import the process, or delete the orphaned cases. ${REBUILD_ACV}`,
    tables: [ACV, "PROCESS"],
    sql: {
      body: `FROM ${ACV} a LEFT JOIN PROCESS p ON p.PRO_UID = a.PRO_UID WHERE p.PRO_UID IS NULL`,
      columns: `${acvColumns}, a.PRO_UID`,
      orderBy: "a.APP_UID, a.DEL_INDEX",
    },
  },
  {
    id: "references.acv-missing-delegation",
    area: "references",
    severity: "error",
    title: "cases list rows (APP_CACHE_VIEW) with no matching delegation (APP_UID, DEL_INDEX)",
    fix: `The cache is stale: ${REBUILD_ACV}`,
    tables: [ACV, "APP_DELEGATION"],
    sql: {
      body: `FROM ${ACV} a LEFT JOIN APP_DELEGATION d ON d.APP_UID = a.APP_UID AND d.DEL_INDEX = a.DEL_INDEX WHERE d.APP_UID IS NULL`,
      columns: acvColumns,
      orderBy: "a.APP_UID, a.DEL_INDEX",
    },
  },
  {
    id: "references.delegation-missing-case",
    area: "references",
    severity: "error",
    title: "delegations (APP_DELEGATION) whose case (APPLICATION) does not exist",
    fix: "Restore the missing cases from a backup, or delete the orphaned delegations.",
    tables: ["APP_DELEGATION", "APPLICATION"],
    sql: {
      body: "FROM APP_DELEGATION d LEFT JOIN APPLICATION c ON c.APP_UID = d.APP_UID WHERE c.APP_UID IS NULL",
      columns: delColumns,
      orderBy: "d.APP_UID, d.DEL_INDEX",
    },
  },
  {
    id: "references.delegation-missing-task",
    area: "references",
    severity: "error",
    title: "delegations (APP_DELEGATION) whose task does not exist",
    fix: "Re-import the process that defined the task, or delete the affected cases.",
    tables: ["APP_DELEGATION", "TASK"],
    sql: {
      body: "FROM APP_DELEGATION d LEFT JOIN TASK t ON t.TAS_UID = d.TAS_UID WHERE t.TAS_UID IS NULL",
      columns: `${delColumns}, d.TAS_UID`,
      orderBy: "d.APP_UID, d.DEL_INDEX",
    },
  },
  {
    id: "references.delegation-missing-user",
    area: "references",
    severity: "error",
    title: "delegations (APP_DELEGATION) assigned to a user that does not exist",
    fix: "Reassign those cases to an existing user (Supervisor > Reassign), or restore the deleted user.",
    tables: ["APP_DELEGATION", "USERS"],
    // Self-service delegations wait with an empty USR_UID; that is not a broken reference.
    sql: {
      body: "FROM APP_DELEGATION d LEFT JOIN USERS u ON u.USR_UID = d.USR_UID WHERE d.USR_UID <> '' AND u.USR_UID IS NULL",
      columns: `${delColumns}, d.USR_UID`,
      orderBy: "d.APP_UID, d.DEL_INDEX",
    },
  },
  {
    id: "references.document-missing-case",
    area: "references",
    severity: "error",
    title: "documents (APP_DOCUMENT) whose case (APPLICATION) does not exist",
    fix: "Restore the missing cases from a backup, or delete the orphaned document rows (and their files).",
    tables: ["APP_DOCUMENT", "APPLICATION"],
    sql: {
      body: "FROM APP_DOCUMENT doc LEFT JOIN APPLICATION c ON c.APP_UID = doc.APP_UID WHERE c.APP_UID IS NULL",
      columns: "doc.APP_DOC_UID, doc.DOC_VERSION, doc.APP_UID",
      orderBy: "doc.APP_DOC_UID, doc.DOC_VERSION",
    },
  },
  {
    id: "references.case-missing-process",
    area: "references",
    severity: "error",
    title: "cases (APPLICATION) whose process does not exist",
    fix: "Re-import the process (same PRO_UID) from a .pmx export or a backup, or delete the orphaned cases.",
    tables: ["APPLICATION", "PROCESS"],
    sql: {
      body: "FROM APPLICATION c LEFT JOIN PROCESS p ON p.PRO_UID = c.PRO_UID WHERE p.PRO_UID IS NULL",
      columns: "c.APP_UID, c.APP_NUMBER, c.PRO_UID",
      orderBy: "c.APP_UID",
    },
  },
];

const PM_SYSTEM = `'${PROCESSMAKER_SYSTEM_UID}'`;
const GUEST_ROLE = `'${GUEST_ROLE_UID}'`;
const USER_FIX =
  "Use `pmadmin user role USER ROLE` (it writes USERS and RBAC_USERS_ROLES together), or fix the user in ADMIN > Users.";

export const RBAC_SQL_CHECKS: readonly SqlCheckDef[] = [
  {
    id: "rbac.user-missing-rbac-user",
    area: "rbac",
    severity: "error",
    title: "users in USERS with no login account in RBAC_USERS (they cannot log in)",
    fix: "Restore the RBAC_USERS rows from a backup, or delete and re-create those users in ADMIN > Users.",
    tables: ["USERS", "RBAC_USERS"],
    sql: {
      body: "FROM USERS u LEFT JOIN RBAC_USERS ru ON ru.USR_UID = u.USR_UID WHERE ru.USR_UID IS NULL",
      columns: "u.USR_UID, u.USR_USERNAME",
      orderBy: "u.USR_UID",
    },
  },
  {
    id: "rbac.rbac-user-missing-user",
    area: "rbac",
    severity: "error",
    title:
      "login accounts in RBAC_USERS with no USERS row (they can log in but the application does not know them)",
    fix: "Restore the USERS rows from a backup, or delete those RBAC_USERS rows (and their RBAC_USERS_ROLES rows).",
    tables: ["USERS", "RBAC_USERS"],
    sql: {
      body: "FROM RBAC_USERS ru LEFT JOIN USERS u ON u.USR_UID = ru.USR_UID WHERE u.USR_UID IS NULL",
      columns: "ru.USR_UID, ru.USR_USERNAME",
      orderBy: "ru.USR_UID",
    },
  },
  {
    id: "rbac.role-mismatch",
    area: "rbac",
    severity: "error",
    title: "users whose USERS.USR_ROLE is not a role they hold in RBAC_USERS_ROLES",
    fix: USER_FIX,
    tables: ["USERS", "RBAC_USERS", "RBAC_USERS_ROLES", "RBAC_ROLES"],
    // Users holding a role row that points nowhere are left to rbac.user-on-missing-role: with
    // the role gone there is no telling which side is right, and one problem is reported once.
    sql: {
      body: `FROM USERS u JOIN RBAC_USERS ru ON ru.USR_UID = u.USR_UID
        WHERE NOT EXISTS (SELECT 1 FROM RBAC_USERS_ROLES ur LEFT JOIN RBAC_ROLES r ON r.ROL_UID = ur.ROL_UID
                          WHERE ur.USR_UID = u.USR_UID AND r.ROL_UID IS NULL)
          AND NOT EXISTS (SELECT 1 FROM RBAC_USERS_ROLES ur JOIN RBAC_ROLES r ON r.ROL_UID = ur.ROL_UID
                          WHERE ur.USR_UID = u.USR_UID AND r.ROL_CODE = u.USR_ROLE)`,
      columns: `u.USR_UID, u.USR_USERNAME, u.USR_ROLE,
        (SELECT GROUP_CONCAT(r.ROL_CODE ORDER BY r.ROL_CODE) FROM RBAC_USERS_ROLES ur
           JOIN RBAC_ROLES r ON r.ROL_UID = ur.ROL_UID WHERE ur.USR_UID = u.USR_UID) AS RBAC_ROLES`,
      orderBy: "u.USR_UID",
    },
  },
  {
    id: "rbac.user-on-missing-role",
    area: "rbac",
    severity: "error",
    title:
      "role assignments (RBAC_USERS_ROLES) pointing at a role that does not exist (the user cannot log in)",
    fix: USER_FIX,
    tables: ["RBAC_USERS_ROLES", "RBAC_ROLES", "RBAC_USERS"],
    sql: {
      body: "FROM RBAC_USERS_ROLES ur LEFT JOIN RBAC_ROLES r ON r.ROL_UID = ur.ROL_UID LEFT JOIN RBAC_USERS ru ON ru.USR_UID = ur.USR_UID WHERE r.ROL_UID IS NULL",
      columns: "ur.USR_UID, ru.USR_USERNAME, ur.ROL_UID",
      orderBy: "ur.USR_UID, ur.ROL_UID",
    },
  },
  {
    id: "rbac.user-on-inactive-role",
    area: "rbac",
    severity: "error",
    title: "active users whose role is inactive (login refuses them)",
    fix: "Activate the role (`pmadmin role activate ROLE`) or move the users to an active role (`pmadmin user role USER ROLE`).",
    tables: ["RBAC_USERS_ROLES", "RBAC_ROLES", "RBAC_USERS"],
    // Users that are inactive themselves cannot log in anyway; flagging them would be noise.
    sql: {
      body: "FROM RBAC_USERS_ROLES ur JOIN RBAC_ROLES r ON r.ROL_UID = ur.ROL_UID JOIN RBAC_USERS ru ON ru.USR_UID = ur.USR_UID WHERE r.ROL_STATUS <> 1 AND ru.USR_STATUS = 1",
      columns: "ur.USR_UID, ru.USR_USERNAME, r.ROL_CODE",
      orderBy: "ur.USR_UID, r.ROL_CODE",
    },
  },
  {
    id: "rbac.role-without-login",
    area: "rbac",
    severity: "error",
    title: "roles without PM_LOGIN (their users cannot log in)",
    fix: "Grant it: `pmadmin role grant ROLE PM_LOGIN`.",
    tables: ["RBAC_ROLES", "RBAC_ROLES_PERMISSIONS", "RBAC_PERMISSIONS", "RBAC_USERS_ROLES"],
    // RBAC-system roles (RBAC_ADMIN) and the guest role never log in through PM_LOGIN.
    sql: {
      body: `FROM RBAC_ROLES r WHERE r.ROL_SYSTEM = ${PM_SYSTEM} AND r.ROL_UID <> ${GUEST_ROLE}
        AND NOT EXISTS (SELECT 1 FROM RBAC_ROLES_PERMISSIONS rp JOIN RBAC_PERMISSIONS p ON p.PER_UID = rp.PER_UID
                        WHERE rp.ROL_UID = r.ROL_UID AND p.PER_CODE = 'PM_LOGIN')`,
      columns:
        "r.ROL_UID, r.ROL_CODE, (SELECT COUNT(*) FROM RBAC_USERS_ROLES ur WHERE ur.ROL_UID = r.ROL_UID) AS USERS",
      orderBy: "r.ROL_CODE",
    },
  },
  {
    id: "rbac.due-date-mismatch",
    area: "rbac",
    severity: "error",
    title: "users whose due date differs between USERS and RBAC_USERS (login obeys RBAC_USERS)",
    fix: "Set the same date in both (ADMIN > Users > Edit saves both; for the admin `pmadmin extend-admin`).",
    tables: ["USERS", "RBAC_USERS"],
    sql: {
      body: "FROM USERS u JOIN RBAC_USERS ru ON ru.USR_UID = u.USR_UID WHERE u.USR_DUE_DATE <> ru.USR_DUE_DATE",
      columns:
        "u.USR_UID, u.USR_USERNAME, u.USR_DUE_DATE AS USERS_DUE_DATE, ru.USR_DUE_DATE AS RBAC_DUE_DATE",
      orderBy: "u.USR_UID",
    },
  },
  {
    id: "rbac.status-mismatch",
    area: "rbac",
    severity: "error",
    title: "users whose status differs between USERS (ACTIVE/INACTIVE) and RBAC_USERS (1/0)",
    fix: "Save the user once in ADMIN > Users > Edit with the intended status; it writes both tables.",
    tables: ["USERS", "RBAC_USERS"],
    // VACATION is compatible with either: login re-activates such users in both tables itself.
    sql: {
      body: `FROM USERS u JOIN RBAC_USERS ru ON ru.USR_UID = u.USR_UID
        WHERE u.USR_STATUS <> 'VACATION' AND (u.USR_STATUS = 'ACTIVE') <> (ru.USR_STATUS = 1)`,
      columns:
        "u.USR_UID, u.USR_USERNAME, u.USR_STATUS AS USERS_STATUS, ru.USR_STATUS AS RBAC_STATUS",
      orderBy: "u.USR_UID",
    },
  },
];

export function countSql(spec: SqlSpec): string {
  return `SELECT COUNT(*) AS n ${spec.body}`;
}

export function examplesSql(spec: SqlSpec, limit: number): string {
  return `SELECT ${spec.columns} ${spec.body} ORDER BY ${spec.orderBy} LIMIT ${limit}`;
}
