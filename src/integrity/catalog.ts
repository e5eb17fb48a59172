// Every check check-integrity knows, in report order. Ids are part of the CLI contract (--check,
// --json): add new ones, never rename.
import { REFERENCE_CHECKS, RBAC_SQL_CHECKS } from "./sql-checks.js";
import type { CheckDef } from "./types.js";

export const ADMIN_WARN_DAYS = 14;

const STORAGE: readonly CheckDef[] = [
  {
    id: "storage.check-table",
    area: "storage",
    severity: "error",
    title:
      "tables for which CHECK TABLE reports something other than OK (corruption, a crashed or unreadable table)",
    fix: "Take a backup first, then `REPAIR TABLE` (MyISAM/Aria) or rebuild it (`ALTER TABLE … FORCE`, InnoDB); if that fails, restore the workspace from a backup.",
    tables: [],
  },
  {
    id: "storage.missing-tables",
    area: "storage",
    severity: "error",
    title:
      "required ProcessMaker tables that do not exist (the 17 core case, user and RBAC tables pmadmin reads)",
    fix: "The database is incomplete: restore the workspace from a backup, or run `processmaker database-upgrade` to recreate the schema.",
    tables: [],
  },
  {
    id: "storage.missing-stock-tables",
    area: "storage",
    severity: "warning",
    title:
      "tables of a stock ProcessMaker 3.3 workspace (144) that do not exist (informational; older versions lack some)",
    fix: "If this workspace runs ProcessMaker 3.3, run `processmaker database-upgrade` to create the missing tables.",
    tables: [],
    optIn: true,
  },
];

const RBAC_GRANTS: readonly CheckDef[] = [
  {
    id: "rbac.inert-grant",
    area: "rbac",
    severity: "warning",
    title:
      "permissions granted to a role without the companions they need, so they have no effect (those ProcessMaker ships that way, like the stock PROCESSMAKER_MANAGER's PM_SETUP_*, are not reported)",
    fix: "Grant the companions (`pmadmin role grant ROLE PERMISSION --with-required`) or revoke the inert permission (`pmadmin role revoke ROLE PERMISSION`).",
    tables: ["RBAC_ROLES", "RBAC_ROLES_PERMISSIONS", "RBAC_PERMISSIONS"],
  },
  {
    id: "rbac.advisory-companion",
    area: "rbac",
    severity: "warning",
    title:
      "permissions whose hosting menu needs a permission the role lacks (advice: the option may be unreachable)",
    fix: "If the role should reach the option, grant the menu permission with `pmadmin role grant ROLE PERMISSION`.",
    tables: ["RBAC_ROLES", "RBAC_ROLES_PERMISSIONS", "RBAC_PERMISSIONS"],
  },
];

const FILES: readonly CheckDef[] = [
  {
    id: "files.missing",
    area: "files",
    severity: "error",
    title: "active documents (APP_DOCUMENT) whose file is missing under sites/<ws>/files",
    fix: "Restore the files from a backup of sites/<ws>/files (ver2 layout files/<aaa>/<bbb>/<ccc>/<rest>/ or files/<APP_UID>/), or mark the rows DELETED.",
    tables: ["APP_DOCUMENT"],
  },
  {
    id: "files.orphaned",
    area: "files",
    severity: "warning",
    title: "document files under sites/<ws>/files that no APP_DOCUMENT row references",
    fix: "They are left over from deleted cases or a partial restore; archive and remove them once you are sure no case needs them.",
    tables: ["APP_DOCUMENT"],
  },
];

const ADMIN: readonly CheckDef[] = [
  {
    id: "admin.missing",
    area: "admin",
    severity: "error",
    title:
      "the admin account (USR_UID 00000000000000000000000000000001) does not exist in RBAC_USERS",
    fix: "Restore the admin user from a backup; without it nobody may be able to administer the workspace.",
    tables: ["RBAC_USERS"],
  },
  {
    id: "admin.expired",
    area: "admin",
    severity: "error",
    title: "the admin account's due date has passed (login refuses it)",
    fix: "Extend it: `pmadmin extend-admin WORKSPACE` (90 days) or `--until YYYY-MM-DD`.",
    tables: ["RBAC_USERS"],
  },
  {
    id: "admin.expiring",
    area: "admin",
    severity: "warning",
    title: `the admin account expires within ${ADMIN_WARN_DAYS} days`,
    fix: "Extend it before it lapses: `pmadmin extend-admin WORKSPACE`.",
    tables: ["RBAC_USERS"],
  },
];

export const CHECKS: readonly CheckDef[] = [
  ...STORAGE,
  ...REFERENCE_CHECKS,
  ...RBAC_SQL_CHECKS,
  ...RBAC_GRANTS,
  ...FILES,
  ...ADMIN,
];
