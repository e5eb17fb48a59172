// Triggers and views cannot follow their tables through RENAME TABLE into another database
// (MariaDB 10.11: "Trigger in wrong schema", "Changing schema from 'a' to 'b' is not allowed"), and
// routines and events stay behind in mysql.proc / mysql.event under the old database's name. So all
// five are captured as SQL, dropped before the rename and recreated in the live database right
// after it, inside the journaled step; a dropped staging database would otherwise take them along.
import { ident, literal } from "../db/sql-text.js";
import type { Queryable } from "../db/types.js";

export type DbObjectKind = "trigger" | "view" | "procedure" | "function" | "event";

export interface DbObject {
  kind: DbObjectKind;
  name: string;
  /** The CREATE statement, qualified for the database it will be created in. */
  sql: string;
  sqlMode: string;
  charset: string;
  collation: string;
  /** Events only: the time zone their schedule was written in. */
  timeZone?: string;
}

const KEYWORD: Record<DbObjectKind, string> = {
  trigger: "TRIGGER",
  view: "VIEW",
  procedure: "PROCEDURE",
  function: "FUNCTION",
  event: "EVENT",
};
/** The column of SHOW CREATE … that holds the statement. */
const CREATE_COLUMN: Record<DbObjectKind, string> = {
  trigger: "SQL Original Statement",
  view: "Create View",
  procedure: "Create Procedure",
  function: "Create Function",
  event: "Create Event",
};

/** Replaces a database qualifier in captured SQL (the staging name is random, so this is exact). */
export function requalify(sql: string, from: string, to: string): string {
  return sql.replaceAll(`${ident(from)}.`, `${ident(to)}.`);
}

/** `user@host` as information_schema shows a definer → DEFINER=`user`@`host` as SHOW CREATE does. */
function definerClause(definer: string): string {
  const at = definer.lastIndexOf("@");
  return `DEFINER=${ident(definer.slice(0, at))}@${ident(definer.slice(at + 1))}`;
}

export interface CaptureOptions {
  /** The database the SQL is qualified for (default: where it is captured). */
  renameTo?: string;
  /** Every object's definer becomes this account (the workspace's own). */
  definer?: { user: string; host: string };
}

/** Names and definers of a database's stored objects, in an order that recreates them. */
async function listObjects(
  db: Queryable,
  database: string,
): Promise<Array<{ kind: DbObjectKind; name: string; definer: string }>> {
  const rows = await db.query<{ k: DbObjectKind; n: string; d: string }>(
    `SELECT 'function' AS k, ROUTINE_NAME AS n, DEFINER AS d, 1 AS o, '' AS s FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE = 'FUNCTION'
     UNION ALL SELECT 'procedure', ROUTINE_NAME, DEFINER, 2, '' FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE = 'PROCEDURE'
     UNION ALL SELECT 'view', TABLE_NAME, DEFINER, 3, '' FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?
     UNION ALL SELECT 'trigger', TRIGGER_NAME, DEFINER, 4, CONCAT(EVENT_OBJECT_TABLE, ' ', ACTION_TIMING, ' ', EVENT_MANIPULATION, ' ', LPAD(ACTION_ORDER, 6, '0')) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?
     UNION ALL SELECT 'event', EVENT_NAME, DEFINER, 5, '' FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?
     ORDER BY o, s, n`,
    [database, database, database, database, database],
  );
  return rows.map((r) => ({ kind: r.k, name: r.n, definer: r.d }));
}

/**
 * Every trigger, view, procedure, function and event of `database` as SQL that recreates it:
 * RENAME TABLE moves none of them into another database, so the swap drops and recreates them.
 */
export async function captureObjects(
  db: Queryable,
  database: string,
  o: CaptureOptions = {},
): Promise<DbObject[]> {
  const out: DbObject[] = [];
  for (const obj of await listObjects(db, database)) {
    const rows = await db.query<Record<string, string | null>>(
      `SHOW CREATE ${KEYWORD[obj.kind]} ${ident(database)}.${ident(obj.name)}`,
    );
    const r = rows[0] ?? {};
    let sql = requalify(String(r[CREATE_COLUMN[obj.kind]] ?? ""), database, o.renameTo ?? database);
    if (o.definer) {
      const from = definerClause(obj.definer);
      const to = `DEFINER=${ident(o.definer.user)}@${ident(o.definer.host)}`;
      if (!sql.includes(from))
        throw new Error(`cannot find the definer of ${obj.kind} ${obj.name} in its definition`);
      sql = sql.replace(from, () => to);
    }
    out.push({
      kind: obj.kind,
      name: obj.name,
      sql,
      sqlMode: String(r["sql_mode"] ?? ""),
      charset: String(r["character_set_client"] ?? "utf8mb4"),
      collation: String(r["collation_connection"] ?? "utf8mb4_general_ci"),
      ...(obj.kind === "event" ? { timeZone: String(r["time_zone"] ?? "SYSTEM") } : {}),
    });
  }
  return out;
}

function dropStatement(database: string, o: Pick<DbObject, "kind" | "name">): string {
  return `DROP ${KEYWORD[o.kind]} IF EXISTS ${ident(database)}.${ident(o.name)}`;
}

export async function dropObjects(
  db: Queryable,
  database: string,
  objects: readonly DbObject[],
): Promise<void> {
  for (const o of objects) await db.execute(dropStatement(database, o));
}

/**
 * (Re)creates objects in `database`, replacing any of the same name, so that running it again
 * after a crash is harmless. Views may depend on each other: retry until no progress.
 */
export async function createObjects(
  db: Queryable,
  database: string,
  objects: readonly DbObject[],
): Promise<void> {
  await db.execute(`USE ${ident(database)}`);
  let pending = [...objects];
  while (pending.length > 0) {
    const failed: DbObject[] = [];
    let lastError: unknown;
    for (const o of pending) {
      try {
        await db.execute(dropStatement(database, o));
        await db.execute(`SET SESSION sql_mode = ${literal(o.sqlMode)}`);
        await db.execute(
          `SET character_set_client = ${literal(o.charset)}, collation_connection = ${literal(o.collation)}`,
        );
        if (o.timeZone !== undefined) await db.execute(`SET time_zone = ${literal(o.timeZone)}`);
        await db.execute(o.sql);
      } catch (error) {
        failed.push(o);
        lastError = error;
      }
    }
    if (failed.length === pending.length) throw lastError;
    pending = failed;
  }
  await db.execute("SET SESSION sql_mode = DEFAULT");
  await db.execute("SET time_zone = DEFAULT");
  await db.execute("SET NAMES utf8mb4");
}

export async function baseTables(db: Queryable, database: string): Promise<string[]> {
  const rows = await db.query<{ n: string }>(
    "SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SEQUENCE') ORDER BY TABLE_NAME",
    [database],
  );
  return rows.map((r) => r.n);
}

export async function databaseExists(db: Queryable, database: string): Promise<boolean> {
  const rows = await db.query("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [
    database,
  ]);
  return rows.length > 0;
}

/** Drops a database only when it holds no tables (never lose data on a confused recovery). */
export async function dropIfEmpty(db: Queryable, database: string): Promise<boolean> {
  if (!(await databaseExists(db, database))) return true;
  const rows = await db.query(
    "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE <> 'VIEW'",
    [database],
  );
  if (Number(rows[0]?.["n"] ?? 0) > 0) return false;
  await db.execute(`DROP DATABASE ${ident(database)}`);
  return true;
}
