// The writes pmadmin makes to a ProcessMaker 4 database, as data (src/db/statement.ts): run in one
// transaction by applyStatements, or printed by --dry-run. Values are always bound parameters.
import type { Statement } from "../db/statement.js";

/** Insert one grant unless an identical row exists (the table has no unique key, §1.2). */
export function grantStatement(permissionId: number, type: string, holderId: number): Statement {
  return {
    sql:
      "INSERT INTO assignables (permission_id, assignable_type, assignable_id) SELECT ?, ?, ? FROM DUAL " +
      "WHERE NOT EXISTS (SELECT 1 FROM assignables WHERE permission_id = ? AND assignable_type = ? AND assignable_id = ?)",
    params: [permissionId, type, holderId, permissionId, type, holderId],
  };
}

/** Delete every row for these grants, duplicates included. */
export function revokeStatement(
  permissionIds: readonly number[],
  type: string,
  holderId: number,
): Statement {
  return {
    sql: `DELETE FROM assignables WHERE assignable_type = ? AND assignable_id = ? AND permission_id IN (${permissionIds.map(() => "?").join(", ")})`,
    params: [type, holderId, ...permissionIds],
  };
}

export function superAdminStatement(userId: number, on: boolean): Statement {
  return {
    sql: "UPDATE users SET is_administrator = ?, updated_at = NOW() WHERE id = ? AND deleted_at IS NULL",
    params: [on ? 1 : 0, userId],
  };
}
