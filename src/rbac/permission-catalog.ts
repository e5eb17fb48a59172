// The RBAC seed of ProcessMaker 3.3 as data: 67 permissions, 5 roles, 2 systems and the stock
// role→permission map. Seeding, `role grant` and `check-integrity` all read this one catalog so
// they can never disagree. Facts from docs/processmaker-3.md §6 and docs/pm3-permissions.md.

export interface PermissionInfo {
  /** PER_UID: 32 chars, zeros ending in the two-digit seed number. */
  uid: string;
  code: string;
  /** What the permission gives; null for seed permissions the documentation does not describe. */
  description: string | null;
  /** Companions without which the permission is inert (its menu is hidden). */
  requires: readonly string[];
  /** Companions implied by the hosting menu: report as advice, not as errors. */
  advisory: readonly string[];
  /** PER_STATUS in the stock seed (not consulted when permissions are loaded). */
  stockStatus: 0 | 1;
}

export interface RoleInfo {
  uid: string;
  code: string;
  systemUid: string;
  /** CONTENT ROL_NAME (en); null where the stock seed has none and PM falls back to the code. */
  name: string | null;
}

export interface SystemInfo {
  uid: string;
  code: string;
}

/** A ProcessMaker seed UID: 32 characters, zeros ending in the number. */
export function seedUid(n: number): string {
  return String(n).padStart(32, "0");
}

export const ADMIN_USER_UID = "00000000000000000000000000000001";
export const GUEST_USER_UID = "00000000000000000000000000000002";
export const RBAC_SYSTEM_UID = "00000000000000000000000000000001";
export const PROCESSMAKER_SYSTEM_UID = "00000000000000000000000000000002";
export const GUEST_ROLE_UID = "00000000000000000000000000000005";

export const SYSTEMS: readonly SystemInfo[] = [
  { uid: RBAC_SYSTEM_UID, code: "RBAC" },
  { uid: PROCESSMAKER_SYSTEM_UID, code: "PROCESSMAKER" },
];

// [code, description, requires, advisory]; position + 1 is the seed number.
type Row = readonly [
  code: string,
  description: string | null,
  requires?: readonly string[],
  advisory?: readonly string[],
];

const SETUP = ["PM_SETUP"] as const;
const SETUP_ADV = ["PM_SETUP", "PM_SETUP_ADVANCE"] as const;
const CASES = ["PM_CASES"] as const;
const PROFILE = "PM_EDIT_USER_PROFILE_";

const ROWS: readonly Row[] = [
  ["PM_LOGIN", "log in at all; every role must have it"],
  [
    "PM_SETUP",
    "ADMIN menu, basic options (email servers, calendar, categories, skins, heart beat, environment, clear cache, login, case scheduler log)",
  ],
  ["PM_USERS", "ADMIN > Users: users, groups, departments, roles"],
  ["PM_FACTORY", "DESIGNER menu: create, edit, delete processes"],
  ["PM_CASES", "HOME menu: run cases, inbox, draft, participated, unassigned, paused, Documents"],
  ["PM_ALLCASES", "HOME > Advanced Search over all cases", CASES],
  ["PM_REASSIGNCASE", "reassign cases (Supervisor > Reassign, Actions > Reassign)", CASES],
  ["PM_REPORTS", null],
  [
    "PM_SUPERVISOR",
    "be a Process Supervisor: Review list, edit forms and input documents, pause",
    CASES,
  ],
  [
    "PM_SETUP_ADVANCE",
    "advanced ADMIN options: logo, PM tables, dashboards, languages, cases list cache builder, plugins, authentication sources",
    SETUP,
  ],
  ["PM_DASHBOARD", "DASHBOARD menu"],
  ["PM_WEBDAV", "upload/download files over WebDAV"],
  ["PM_DELETECASE", "delete cases still in their first task when not the designated user"],
  ["PM_EDITPERSONALINFO", "edit own personal information and password"],
  ["PM_FOLDERS_VIEW", "view folders and download files under HOME > Documents", [], CASES],
  ["PM_FOLDERS_ADD_FOLDER", "add folders under HOME > Documents", [], CASES],
  ["PM_FOLDERS_ADD_FILE", "add and delete files under HOME > Documents", [], CASES],
  [
    "PM_CANCELCASE",
    "cancel cases assigned to or participated in; all cases with PM_ALLCASES; supervised cases with PM_SUPERVISOR",
    CASES,
  ],
  ["PM_FOLDER_DELETE", "delete folders under HOME > Documents"],
  ["PM_SETUP_LOGO", "replace the logo", SETUP],
  ["PM_SETUP_EMAIL", "configure email servers", SETUP],
  ["PM_SETUP_CALENDAR", "configure calendars", SETUP],
  ["PM_SETUP_PROCESS_CATEGORIES", "manage process categories", SETUP],
  ["PM_SETUP_CLEAR_CACHE", "clear the cache", SETUP],
  ["PM_SETUP_HEART_BEAT", "heart beat statistics", SETUP],
  ["PM_SETUP_ENVIRONMENT", "environment settings", SETUP],
  ["PM_SETUP_PM_TABLES", "manage PM Tables", SETUP],
  ["PM_SETUP_LOGIN", "login settings (default language, forgot password)", SETUP],
  ["PM_SETUP_DASHBOARDS", "manage dashlet instances", ["PM_SETUP", "PM_DASHBOARD"]],
  ["PM_SETUP_LANGUAGE", "manage languages", SETUP_ADV],
  ["PM_SETUP_SKIN", "change skins", SETUP],
  ["PM_SETUP_CASES_LIST_CACHE_BUILDER", "rebuild the cases list cache", SETUP_ADV],
  ["PM_SETUP_PLUGINS", "Plugins tab", SETUP_ADV],
  [
    "PM_SETUP_USERS_AUTHENTICATION_SOURCES",
    "external authentication sources",
    ["PM_SETUP", "PM_SETUP_ADVANCE", "PM_USERS"],
  ],
  ["PM_SETUP_LOGS", "Logs tab", SETUP],
  [
    "PM_DELETE_PROCESS_CASES",
    '"Delete Cases" button in the Designer (all cases of a process)',
    [],
    ["PM_FACTORY"],
  ],
  [
    "PM_EDITPERSONALINFO_CALENDAR",
    "change own calendar preference",
    ["PM_SETUP", "PM_EDITPERSONALINFO"],
  ],
  ["PM_UNCANCELCASE", null],
  ["PM_REST_API_APPLICATIONS", null],
  [`${PROFILE}FIRST_NAME`, null], // 40
  [`${PROFILE}LAST_NAME`, null],
  [`${PROFILE}USERNAME`, null],
  [`${PROFILE}EMAIL`, null],
  [`${PROFILE}ADDRESS`, null],
  [`${PROFILE}ZIP_CODE`, null], // 45
  [`${PROFILE}COUNTRY`, null],
  [`${PROFILE}STATE_OR_REGION`, null],
  [`${PROFILE}LOCATION`, null],
  [`${PROFILE}PHONE`, null],
  [`${PROFILE}POSITION`, null], // 50
  [`${PROFILE}REPLACED_BY`, null],
  [`${PROFILE}EXPIRATION_DATE`, null],
  [`${PROFILE}CALENDAR`, null],
  [`${PROFILE}STATUS`, null],
  [`${PROFILE}ROLE`, null], // 55
  [`${PROFILE}TIME_ZONE`, null],
  [`${PROFILE}DEFAULT_LANGUAGE`, null],
  [`${PROFILE}COSTS`, null],
  [`${PROFILE}PASSWORD`, null],
  [`${PROFILE}USER_MUST_CHANGE_PASSWORD_AT_NEXT_LOGON`, null], // 60
  [`${PROFILE}PHOTO`, null],
  [`${PROFILE}DEFAULT_MAIN_MENU_OPTIONS`, null],
  [`${PROFILE}DEFAULT_CASES_MENU_OPTIONS`, null],
  ["PM_REASSIGNCASE_SUPERVISOR", null],
  ["PM_SETUP_CUSTOM_CASES_LIST", null], // 65
  ["PM_GUEST_CASE", null],
  ["PM_SETUP_LOG_FILES", null],
];

// The stock seed disables these two; everything else is PER_STATUS 1.
const STOCK_DISABLED = new Set(["PM_REPORTS", "PM_DELETECASE"]);

export const PERMISSIONS: readonly PermissionInfo[] = ROWS.map(
  ([code, description, requires = [], advisory = []], i) => ({
    uid: seedUid(i + 1),
    code,
    description,
    requires,
    advisory,
    stockStatus: STOCK_DISABLED.has(code) ? 0 : 1,
  }),
);

export const ROLES: readonly RoleInfo[] = [
  { uid: seedUid(1), code: "RBAC_ADMIN", systemUid: RBAC_SYSTEM_UID, name: null },
  {
    uid: seedUid(2),
    code: "PROCESSMAKER_ADMIN",
    systemUid: PROCESSMAKER_SYSTEM_UID,
    name: "System Administrator",
  },
  {
    uid: seedUid(3),
    code: "PROCESSMAKER_OPERATOR",
    systemUid: PROCESSMAKER_SYSTEM_UID,
    name: "Operator",
  },
  {
    uid: seedUid(4),
    code: "PROCESSMAKER_MANAGER",
    systemUid: PROCESSMAKER_SYSTEM_UID,
    name: "Manager",
  },
  {
    uid: GUEST_ROLE_UID,
    code: "PROCESSMAKER_GUEST",
    systemUid: PROCESSMAKER_SYSTEM_UID,
    name: null,
  },
];

function codesByNumber(pick: (n: number, code: string) => boolean): readonly string[] {
  return PERMISSIONS.filter((p, i) => pick(i + 1, p.code)).map((p) => p.code);
}

const OPERATOR_PROFILE = new Set([40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 53, 56, 57, 59, 61]);
const MANAGER_EXCLUDED = new Set(["PM_SETUP", "PM_FACTORY", "PM_SETUP_ADVANCE", "PM_WEBDAV"]);

/** Role code → permission codes of the stock seed (processmaker-3.md §6.2). */
export const STOCK_ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  RBAC_ADMIN: [],
  PROCESSMAKER_ADMIN: codesByNumber((_, code) => code !== "PM_GUEST_CASE"),
  PROCESSMAKER_OPERATOR: codesByNumber(
    (n, code) => code === "PM_LOGIN" || code === "PM_CASES" || OPERATOR_PROFILE.has(n),
  ),
  PROCESSMAKER_MANAGER: codesByNumber((n, code) => n <= 63 && !MANAGER_EXCLUDED.has(code)),
  PROCESSMAKER_GUEST: ["PM_GUEST_CASE"],
};

export function findPermission(code: string): PermissionInfo | undefined {
  return PERMISSIONS.find((p) => p.code === code);
}

export function findRole(code: string): RoleInfo | undefined {
  return ROLES.find((r) => r.code === code);
}
