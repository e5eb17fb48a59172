// The SQL pmadmin runs against a ProcessMaker 4 database (processmaker-4-permissions.md §1, §7).
// Type strings are bound as parameters: MySQL treats the backslashes as escapes in literals.
import { failure } from "../errors.js";
import { ident } from "../db/sql-text.js";
import type { Queryable } from "../db/types.js";
import type { GroupEdge } from "./effective.js";

export const USER_TYPE = "ProcessMaker\\Models\\User";
export const GROUP_TYPE = "ProcessMaker\\Models\\Group";
const GROUPS = ident("groups"); // a reserved word on MySQL 8

const TABLES = ["permissions", "assignables", "users", "groups", "group_members"];

export async function checkSchema(db: Queryable, database: string): Promise<void> {
  const rows = await db.query<{ t: string }>(
    `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (${TABLES.map(() => "?").join(", ")})`,
    TABLES,
  );
  const found = new Set(rows.map((r) => r.t));
  const missing = TABLES.filter((t) => !found.has(t));
  if (missing.length > 0) {
    throw failure(
      "PM4.NOT_PM4_DATABASE",
      `Database '${database}' lacks the ProcessMaker 4 tables ${missing.join(", ")}.`,
      {
        hint: "Check DB_DATABASE in the .env (for a multi-tenant install, pass --env-file with the tenant's database).",
      },
    );
  }
}

export interface PermissionRow {
  id: number;
  name: string;
  title: string;
  category: string | null;
  users: number;
  groups: number;
}

/** Every permission with how many live users and existing groups hold it (orphans not counted). */
export async function loadPermissions(db: Queryable): Promise<PermissionRow[]> {
  const rows = await db.query(
    `SELECT p.id, p.name, p.title, p.${ident("group")} AS category,
       (SELECT COUNT(DISTINCT a.assignable_id) FROM assignables a JOIN users u ON u.id = a.assignable_id AND u.deleted_at IS NULL
         WHERE a.permission_id = p.id AND a.assignable_type = ?) AS users,
       (SELECT COUNT(DISTINCT a.assignable_id) FROM assignables a JOIN ${GROUPS} g ON g.id = a.assignable_id
         WHERE a.permission_id = p.id AND a.assignable_type = ?) AS ${GROUPS}
     FROM permissions p ORDER BY p.${ident("group")}, p.name`,
    [USER_TYPE, GROUP_TYPE],
  );
  return rows.map((r) => ({
    id: Number(r["id"]),
    name: String(r["name"]),
    title: String(r["title"]),
    category: typeof r["category"] === "string" ? r["category"] : null,
    users: Number(r["users"]),
    groups: Number(r["groups"]),
  }));
}

export interface UserRow {
  id: number;
  username: string;
  status: string;
  isAdministrator: boolean;
  isSystem: boolean;
}

function toUser(r: Record<string, unknown>): UserRow {
  return {
    id: Number(r["id"]),
    username: String(r["username"]),
    status: String(r["status"]),
    isAdministrator: Number(r["is_administrator"]) === 1,
    isSystem: Number(r["is_system"] ?? 0) === 1,
  };
}

const USER_COLS = "id, username, status, is_administrator, is_system";

/** Live (not soft-deleted) users named `ref`, or with id `ref` when it is all digits. */
export async function findUsers(db: Queryable, ref: string, forUpdate = false): Promise<UserRow[]> {
  const byId = /^\d+$/.test(ref) ? " OR id = ?" : "";
  const rows = await db.query(
    `SELECT ${USER_COLS} FROM users WHERE deleted_at IS NULL AND (username = ?${byId}) ORDER BY username = ? DESC${forUpdate ? " FOR UPDATE" : ""}`,
    byId ? [ref, Number(ref), ref] : [ref, ref],
  );
  return rows.map(toUser);
}

export async function userById(
  db: Queryable,
  id: number,
  forUpdate = false,
): Promise<UserRow | undefined> {
  const rows = await db.query(
    `SELECT ${USER_COLS} FROM users WHERE deleted_at IS NULL AND id = ?${forUpdate ? " FOR UPDATE" : ""}`,
    [id],
  );
  return rows[0] === undefined ? undefined : toUser(rows[0]);
}

export async function usernames(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ u: string }>(
    "SELECT username AS u FROM users WHERE deleted_at IS NULL AND is_system = 0",
  );
  return rows.map((r) => r.u);
}

/** Other live, ACTIVE, non-system Super Admins; locked so the last-admin check holds until commit. */
export async function otherActiveAdmins(db: Queryable, userId: number): Promise<string[]> {
  const rows = await db.query<{ u: string }>(
    `SELECT username AS u FROM users WHERE is_administrator = 1 AND status = 'ACTIVE' AND deleted_at IS NULL
       AND is_system = 0 AND id <> ? FOR UPDATE`,
    [userId],
  );
  return rows.map((r) => r.u);
}

export interface GroupRow {
  id: number;
  name: string;
  status: string;
}

export async function findGroups(db: Queryable, ref: string): Promise<GroupRow[]> {
  const byId = /^\d+$/.test(ref) ? " OR id = ?" : "";
  const rows = await db.query(
    `SELECT id, name, status FROM ${GROUPS} WHERE name = ?${byId} ORDER BY id`,
    byId ? [ref, Number(ref)] : [ref],
  );
  return rows.map((r) => ({
    id: Number(r["id"]),
    name: String(r["name"]),
    status: String(r["status"]),
  }));
}

export async function groupNames(db: Queryable): Promise<Map<number, string>> {
  const rows = await db.query(`SELECT id, name FROM ${GROUPS}`);
  return new Map(rows.map((r) => [Number(r["id"]), String(r["name"])]));
}

/** A holder's stored names, with the number of rows each has (more than 1 = duplicates). */
export async function heldRows(
  db: Queryable,
  type: string,
  id: number,
): Promise<Map<string, number>> {
  const rows = await db.query(
    `SELECT p.name, COUNT(*) AS n FROM assignables a JOIN permissions p ON p.id = a.permission_id
      WHERE a.assignable_type = ? AND a.assignable_id = ? GROUP BY p.name`,
    [type, id],
  );
  return new Map(rows.map((r) => [String(r["name"]), Number(r["n"])]));
}

/** Existing groups the user is a direct member of. */
export async function userGroupIds(db: Queryable, userId: number): Promise<number[]> {
  const rows = await db.query(
    `SELECT DISTINCT gm.group_id AS g FROM group_members gm JOIN ${GROUPS} g ON g.id = gm.group_id
      WHERE gm.member_type = ? AND gm.member_id = ?`,
    [USER_TYPE, userId],
  );
  return rows.map((r) => Number(r["g"]));
}

/** Group-in-group rows whose both ends exist (orphans are ignored, §1.5). */
export async function groupEdges(db: Queryable): Promise<GroupEdge[]> {
  const rows = await db.query(
    `SELECT gm.member_id AS child, gm.group_id AS parent FROM group_members gm
       JOIN ${GROUPS} p ON p.id = gm.group_id JOIN ${GROUPS} c ON c.id = gm.member_id
      WHERE gm.member_type = ?`,
    [GROUP_TYPE],
  );
  return rows.map((r) => ({ child: Number(r["child"]), parent: Number(r["parent"]) }));
}

export async function groupPermissions(
  db: Queryable,
  ids: readonly number[],
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (ids.length === 0) return out;
  const rows = await db.query(
    `SELECT DISTINCT a.assignable_id AS g, p.name FROM assignables a JOIN permissions p ON p.id = a.permission_id
      WHERE a.assignable_type = ? AND a.assignable_id IN (${ids.map(() => "?").join(", ")})`,
    [GROUP_TYPE, ...ids],
  );
  for (const r of rows) {
    const g = Number(r["g"]);
    out.set(g, [...(out.get(g) ?? []), String(r["name"])]);
  }
  return out;
}
