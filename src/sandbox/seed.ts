// The stock rows of a fresh ProcessMaker 3.3 workspace (RBAC seed, admin and guest, the password
// algorithm setting) plus a small cast — two users, a group, a process with three tasks — that the
// case generator builds on. Statements are fully literal SQL so they can be run, printed or dumped.
// RBAC rows come from the catalog so the seed and the tools that check it can never disagree.
import { createHash } from "node:crypto";
import { phpMap, phpSerialize } from "../admin/php-serialize.js";
import { utcSqlDateTime } from "../db/datetime.js";
import { insertStatement, type SqlRow } from "../db/sql-text.js";
import {
  ADMIN_USER_UID,
  GUEST_USER_UID,
  PERMISSIONS,
  PROCESSMAKER_SYSTEM_UID,
  ROLES,
  STOCK_ROLE_PERMISSIONS,
  SYSTEMS,
  findPermission,
  findRole,
} from "../rbac/permission-catalog.js";

// ---------------------------------------------------------------------------------------------
// The cast. UIDs look like ProcessMaker's (32 hex digits) and are fixed so tests can name them.

export const PROCESS_UID = "4576230435f0c3bb3c1f9b1009476524";
export const TASK_UIDS = [
  "6390478105f0c3bc1bc88d5090187416",
  "7195863255f0c3bc9d45c32044613270",
  "8226151565f0c3bd4437e30076135291",
] as const;
export const OPERATOR_UID = "1436583745f0c3c0d7a0a45026481523";
export const MANAGER_UID = "2917736165f0c3c1a9c2b78058396711";
export const GROUP_UID = "3558027705f0c3c2b1d4e67039452188";
export const GROUP_TITLE = "Accounts Payable";
export const PROCESS_TITLE = "Invoice Approval";
export const TASK_TITLES = ["Submit invoice", "Approve invoice", "Pay invoice"] as const;
export const ADMIN_DUE_DATE = "2040-01-01";

export interface SeedUser {
  uid: string;
  id: number;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  roleCode: string;
  active: boolean;
  dueDate: string;
}

/** Admin's password hash is supplied by the caller; the others get a fixed sha256 of "sample". */
export const SEED_USERS: readonly SeedUser[] = [
  {
    uid: ADMIN_USER_UID,
    id: 1,
    username: "admin",
    firstName: "Administrator",
    lastName: "Admin",
    email: "admin@processmaker.com",
    roleCode: "PROCESSMAKER_ADMIN",
    active: true,
    dueDate: ADMIN_DUE_DATE,
  },
  {
    uid: GUEST_USER_UID,
    id: 2,
    username: "guest",
    firstName: "Guest",
    lastName: "",
    email: "guest@processmaker.com",
    roleCode: "PROCESSMAKER_GUEST",
    active: false,
    dueDate: "2030-01-01",
  },
  // Non-ASCII and an apostrophe: names must survive dump, restore and --json untouched.
  {
    uid: OPERATOR_UID,
    id: 3,
    username: "zoe.mueller",
    firstName: "Zoë",
    lastName: "Müller",
    email: "zoe.mueller@example.com",
    roleCode: "PROCESSMAKER_OPERATOR",
    active: true,
    dueDate: "2035-12-31",
  },
  {
    uid: MANAGER_UID,
    id: 4,
    username: "sean.obrien",
    firstName: "Seán",
    lastName: "O'Brien",
    email: "sean.obrien@example.com",
    roleCode: "PROCESSMAKER_MANAGER",
    active: true,
    dueDate: "2035-12-31",
  },
];

/** "First Last" as the cases list shows a user; "" for an unknown UID. */
export function seedUserDisplayName(uid: string): string {
  const u = SEED_USERS.find((x) => x.uid === uid);
  return u === undefined ? "" : `${u.firstName} ${u.lastName}`.trim();
}

export const SAMPLE_PASSWORD_HASH = createHash("sha256").update("sample").digest("hex");
// The stock RBAC guest row holds a bcrypt string that login never checks (processmaker-3.md §6.5).
const GUEST_RBAC_PASSWORD = "$2y$10$Yq9lVOOWHmDkV2o0VQk0huTYkB4cEZ7s2kcq1i6CkZ0Cl5nK8bW6S";

/** "PM_SETUP_LOGO" → "Setup logo": a readable PER_NAME where the docs give no description. */
function readableName(code: string): string {
  const words = code.replace(/^PM_/, "").toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function roleUid(code: string): string {
  const role = findRole(code);
  if (role === undefined) throw new Error(`unknown stock role ${code}`);
  return role.uid;
}

// ---------------------------------------------------------------------------------------------

/**
 * The stock rows, table by table, in an order the foreign keys and triggers accept. Timestamps are
 * `now` in UTC (utcSqlDateTime): the same options give the same bytes on every machine.
 */
export function stockSeedStatements(opts: { now: Date; adminPasswordHash: string }): string[] {
  const now = utcSqlDateTime(opts.now);
  return [
    ...rbacCatalogStatements(now),
    insertStatement("CONFIGURATION", [
      {
        CFG_UID: "ENTERPRISE_SETTING_ENCRYPT",
        OBJ_UID: "",
        CFG_VALUE: phpSerialize(phpMap({ current: "sha256", previous: "md5" })),
        PRO_UID: "",
        USR_UID: "",
        APP_UID: "",
      },
    ]),
    ...userStatements(now, opts.adminPasswordHash),
    ...processStatements(now),
  ];
}

/** CREATE_DATE and UPDATE_DATE columns of an RBAC table, e.g. SYS_CREATE_DATE. */
const stamps = (prefix: string, now: string): SqlRow => ({
  [`${prefix}_CREATE_DATE`]: now,
  [`${prefix}_UPDATE_DATE`]: now,
});

/** RBAC_SYSTEMS, RBAC_PERMISSIONS, RBAC_ROLES, the stock grants and the names in CONTENT. */
function rbacCatalogStatements(now: string): string[] {
  const grants: SqlRow[] = [];
  for (const role of ROLES) {
    for (const code of STOCK_ROLE_PERMISSIONS[role.code] ?? []) {
      const perm = findPermission(code);
      if (perm === undefined) throw new Error(`stock map names unknown permission ${code}`);
      grants.push({ ROL_UID: role.uid, PER_UID: perm.uid });
    }
  }
  const content = (category: string, id: string, value: string): SqlRow => ({
    CON_CATEGORY: category,
    CON_PARENT: "",
    CON_ID: id,
    CON_LANG: "en",
    CON_VALUE: value,
  });
  const names: SqlRow[] = [
    ...ROLES.flatMap((r) => (r.name === null ? [] : [content("ROL_NAME", r.uid, r.name)])),
    // The stock seed has no PER_NAME for PM_GUEST_CASE: 66 rows.
    ...PERMISSIONS.filter((p) => p.code !== "PM_GUEST_CASE").map((p) =>
      content("PER_NAME", p.uid, p.description ?? readableName(p.code)),
    ),
  ];
  return [
    insertStatement(
      "RBAC_SYSTEMS",
      SYSTEMS.map((s) => ({
        SYS_UID: s.uid,
        SYS_CODE: s.code,
        ...stamps("SYS", now),
        SYS_STATUS: 1,
      })),
    ),
    insertStatement(
      "RBAC_PERMISSIONS",
      PERMISSIONS.map((p) => ({
        PER_UID: p.uid,
        PER_CODE: p.code,
        ...stamps("PER", now),
        PER_STATUS: p.stockStatus,
        PER_SYSTEM: PROCESSMAKER_SYSTEM_UID,
      })),
    ),
    insertStatement(
      "RBAC_ROLES",
      ROLES.map((r) => ({
        ROL_UID: r.uid,
        ROL_PARENT: "",
        ROL_SYSTEM: r.systemUid,
        ROL_CODE: r.code,
        ...stamps("ROL", now),
        ROL_STATUS: 1,
      })),
    ),
    insertStatement("RBAC_ROLES_PERMISSIONS", grants),
    insertStatement("CONTENT", names),
  ];
}

/** USERS, RBAC_USERS and RBAC_USERS_ROLES for SEED_USERS; admin gets the caller's hash. */
function userStatements(now: string, adminPasswordHash: string): string[] {
  const password = (u: SeedUser): string =>
    u.uid === ADMIN_USER_UID ? adminPasswordHash : SAMPLE_PASSWORD_HASH;
  return [
    insertStatement(
      "USERS",
      SEED_USERS.map((u) => usersRow(u, password(u), now)),
    ),
    insertStatement(
      "RBAC_USERS",
      SEED_USERS.map((u) => ({
        USR_UID: u.uid,
        USR_USERNAME: u.username,
        USR_PASSWORD: u.uid === GUEST_USER_UID ? GUEST_RBAC_PASSWORD : password(u),
        USR_FIRSTNAME: u.firstName,
        USR_LASTNAME: u.lastName,
        USR_EMAIL: u.email,
        USR_DUE_DATE: u.dueDate,
        ...stamps("USR", now),
        USR_STATUS: u.active ? 1 : 0,
        USR_AUTH_TYPE: "MYSQL",
        UID_AUTH_SOURCE: "",
        USR_AUTH_USER_DN: "",
        USR_AUTH_SUPERVISOR_DN: "",
      })),
    ),
    insertStatement(
      "RBAC_USERS_ROLES",
      SEED_USERS.map((u) => ({ USR_UID: u.uid, ROL_UID: roleUid(u.roleCode) })),
    ),
  ];
}

/** The cast's group (with the two users), the process and its three tasks. */
function processStatements(now: string): string[] {
  return [
    insertStatement("GROUPWF", [
      {
        GRP_UID: GROUP_UID,
        GRP_ID: 1,
        GRP_TITLE: GROUP_TITLE,
        GRP_STATUS: "ACTIVE",
        GRP_LDAP_DN: "",
        GRP_UX: "NORMAL",
      },
    ]),
    insertStatement(
      "GROUP_USER",
      [OPERATOR_UID, MANAGER_UID].map((uid) => ({ GRP_UID: GROUP_UID, GRP_ID: 1, USR_UID: uid })),
    ),
    insertStatement("PROCESS", [
      {
        PRO_UID: PROCESS_UID,
        PRO_ID: 1,
        PRO_TITLE: PROCESS_TITLE,
        PRO_DESCRIPTION: "Supplier invoices: submission, approval and payment.",
        PRO_PARENT: PROCESS_UID,
        PRO_STATUS: "ACTIVE",
        PRO_CREATE_DATE: now,
        PRO_UPDATE_DATE: now,
        PRO_CREATE_USER: ADMIN_USER_UID,
        PRO_DYNAFORMS: "",
      },
    ]),
    insertStatement(
      "TASK",
      TASK_UIDS.map((uid, i) => ({
        PRO_UID: PROCESS_UID,
        TAS_UID: uid,
        TAS_ID: i + 1,
        TAS_TITLE: TASK_TITLES[i] ?? "",
        TAS_DESCRIPTION: "",
        TAS_DEF_TITLE: "Invoice #@#APP_NUMBER",
        TAS_TYPE: "NORMAL",
        TAS_DURATION: 2,
        TAS_ASSIGN_TYPE: "BALANCED",
        TAS_START: i === 0 ? "TRUE" : "FALSE",
        TAS_CAN_UPLOAD: i === 0 ? "TRUE" : "FALSE",
        TAS_POSX: 120 + 200 * i,
        TAS_POSY: 80,
      })),
    ),
  ];
}

function usersRow(u: SeedUser, password: string, now: string): SqlRow {
  return {
    USR_UID: u.uid,
    USR_ID: u.id,
    USR_USERNAME: u.username,
    USR_PASSWORD: password,
    USR_FIRSTNAME: u.firstName,
    USR_LASTNAME: u.lastName,
    USR_EMAIL: u.email,
    USR_DUE_DATE: u.dueDate,
    USR_CREATE_DATE: now,
    USR_UPDATE_DATE: now,
    USR_STATUS: u.active ? "ACTIVE" : "INACTIVE",
    USR_COUNTRY: "",
    USR_CITY: "",
    USR_LOCATION: "",
    USR_ADDRESS: "",
    USR_PHONE: "",
    USR_ZIP_CODE: "",
    USR_POSITION: u.uid === MANAGER_UID ? "Accounts payable lead" : "",
    USR_ROLE: u.roleCode,
    USR_REPORTS_TO: u.uid === OPERATOR_UID ? MANAGER_UID : "",
    USR_REPLACED_BY: "",
    USR_UX: "NORMAL",
    USR_TIME_ZONE: "",
    USR_DEFAULT_LANG: "en",
  };
}
