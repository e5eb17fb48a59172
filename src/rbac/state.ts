// The RBAC data of one workspace as plain values: roles, permissions, grants and display names.
// The workspace's tables are the truth; the catalog adds descriptions and companion rules.
import type { Queryable } from "../db/types.js";
import { usage } from "../errors.js";
import { didYouMean } from "../ui/suggest.js";
import { findPermission, type PermissionInfo } from "./permission-catalog.js";

/** ProcessMaker looks names up in SYS_LANG; workspaces are installed with 'en'. */
export const CONTENT_LANG = "en";

export interface DbRole {
  uid: string;
  code: string;
  system: string;
  status: number;
  /** CONTENT ROL_NAME, else the code (as Roles::getRolName falls back). */
  name: string;
  /** Users holding it in RBAC_USERS_ROLES. */
  users: number;
}

export interface DbPermission {
  uid: string;
  code: string;
  status: number;
  /** CONTENT PER_NAME when the workspace has one. */
  contentName: string | null;
  catalog: PermissionInfo | undefined;
}

export interface RbacState {
  roles: DbRole[];
  permissions: DbPermission[];
  /** ROL_UID → PER_UIDs it holds. */
  grants: Map<string, Set<string>>;
}

export function permissionLabel(p: DbPermission): string {
  return p.contentName || p.catalog?.description || p.code;
}

export function heldBy(state: RbacState, roleUid: string): DbPermission[] {
  const held = state.grants.get(roleUid) ?? new Set<string>();
  return state.permissions.filter((p) => held.has(p.uid));
}

export function rolesHolding(state: RbacState, perUid: string): DbRole[] {
  return state.roles.filter((r) => state.grants.get(r.uid)?.has(perUid) === true);
}

export async function loadRbac(db: Queryable): Promise<RbacState> {
  const roleRows = await db.query<{
    uid: string;
    code: string;
    sys: string;
    status: number | string;
    name: string | null;
  }>(
    `SELECT r.ROL_UID AS uid, r.ROL_CODE AS code, r.ROL_SYSTEM AS sys, r.ROL_STATUS AS status, c.CON_VALUE AS name
       FROM RBAC_ROLES r
       LEFT JOIN CONTENT c ON c.CON_CATEGORY = 'ROL_NAME' AND c.CON_PARENT = '' AND c.CON_ID = r.ROL_UID AND c.CON_LANG = ?
      ORDER BY r.ROL_CODE, r.ROL_UID`,
    [CONTENT_LANG],
  );
  const counts = await db.query<{ uid: string; n: number | string }>(
    "SELECT ROL_UID AS uid, COUNT(*) AS n FROM RBAC_USERS_ROLES GROUP BY ROL_UID",
  );
  const userCount = new Map(counts.map((c) => [c.uid, Number(c.n)]));
  const permRows = await db.query<{
    uid: string;
    code: string;
    status: number | string;
    name: string | null;
  }>(
    `SELECT p.PER_UID AS uid, p.PER_CODE AS code, p.PER_STATUS AS status, c.CON_VALUE AS name
       FROM RBAC_PERMISSIONS p
       LEFT JOIN CONTENT c ON c.CON_CATEGORY = 'PER_NAME' AND c.CON_PARENT = '' AND c.CON_ID = p.PER_UID AND c.CON_LANG = ?
      ORDER BY p.PER_UID`,
    [CONTENT_LANG],
  );
  const grantRows = await db.query<{ rol: string; per: string }>(
    "SELECT ROL_UID AS rol, PER_UID AS per FROM RBAC_ROLES_PERMISSIONS",
  );
  const grants = new Map<string, Set<string>>();
  for (const g of grantRows) {
    const set = grants.get(g.rol) ?? new Set<string>();
    set.add(g.per);
    grants.set(g.rol, set);
  }
  return {
    roles: roleRows.map((r) => ({
      uid: r.uid,
      code: r.code,
      system: r.sys,
      status: Number(r.status),
      name: r.name || r.code,
      users: userCount.get(r.uid) ?? 0,
    })),
    permissions: permRows.map((p) => ({
      uid: p.uid,
      code: p.code,
      status: Number(p.status),
      contentName: p.name || null,
      catalog: findPermission(p.code),
    })),
    grants,
  };
}

/** A role by code (case-insensitive, as MySQL compares them) or by ROL_UID; exit 2 otherwise. */
export function resolveRole(state: RbacState, input: string): DbRole {
  const found =
    state.roles.find((r) => r.code === input) ??
    state.roles.find((r) => r.code.toUpperCase() === input.toUpperCase()) ??
    state.roles.find((r) => r.uid === input);
  if (found) return found;
  const codes = state.roles.map((r) => r.code);
  throw usage("RBAC.UNKNOWN_ROLE", `Unknown role '${input}'.${didYouMean(input, codes)}`, {
    hint: `Roles in this workspace: ${codes.join(", ")} (see 'pmadmin role list').`,
  });
}

/** A permission by code (case-insensitive) or PER_UID; exit 2 with the closest match otherwise. */
export function resolvePermission(state: RbacState, input: string): DbPermission {
  const found =
    state.permissions.find((p) => p.code === input) ??
    state.permissions.find((p) => p.code.toUpperCase() === input.toUpperCase()) ??
    state.permissions.find((p) => p.uid === input);
  if (found) return found;
  const codes = state.permissions.map((p) => p.code);
  throw usage(
    "RBAC.UNKNOWN_PERMISSION",
    `Unknown permission '${input}'.${didYouMean(input, codes)}`,
    {
      hint: "Run 'pmadmin permission list' for the permissions of this workspace.",
    },
  );
}

/** Usernames (USERS, else RBAC_USERS, else the UID) of the users holding a role. */
export async function roleUsers(
  db: Queryable,
  roleUid: string,
): Promise<Array<{ uid: string; username: string }>> {
  const rows = await db.query<{ uid: string; username: string | null }>(
    `SELECT ur.USR_UID AS uid, COALESCE(u.USR_USERNAME, ru.USR_USERNAME) AS username
       FROM RBAC_USERS_ROLES ur
       LEFT JOIN USERS u ON u.USR_UID = ur.USR_UID
       LEFT JOIN RBAC_USERS ru ON ru.USR_UID = ur.USR_UID
      WHERE ur.ROL_UID = ? ORDER BY username, ur.USR_UID`,
    [roleUid],
  );
  return rows.map((r) => ({ uid: r.uid, username: r.username ?? r.uid }));
}
