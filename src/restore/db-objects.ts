// Triggers and views cannot follow their tables through RENAME TABLE into another database
// (MariaDB 10.11: "Trigger in wrong schema", "Changing schema from 'a' to 'b' is not allowed" —
// checked by hand and by test/integration/restore-swap.test.ts). So they are captured as SQL, dropped
// before the rename and recreated in the live database right after it, inside the journaled step.
import { ident, literal } from "../db/mysql.js";
import type { Queryable } from "../db/types.js";

export interface DbObject {
  kind: "trigger" | "view";
  name: string;
  /** The CREATE statement, qualified for the database it will be created in. */
  sql: string;
  sqlMode: string;
  charset: string;
  collation: string;
}

/** Replaces a database qualifier in captured SQL (the staging name is random, so this is exact). */
export function requalify(sql: string, from: string, to: string): string {
  return sql.replaceAll(`${ident(from)}.`, `${ident(to)}.`);
}

export async function captureObjects(
  db: Queryable,
  database: string,
  renameTo = database,
): Promise<DbObject[]> {
  const out: DbObject[] = [];
  const triggers = await db.query<{ n: string }>(
    "SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER",
    [database],
  );
  for (const t of triggers) {
    const rows = await db.query<Record<string, string | null>>(
      `SHOW CREATE TRIGGER ${ident(database)}.${ident(t.n)}`,
    );
    const r = rows[0] ?? {};
    out.push({
      kind: "trigger",
      name: t.n,
      sql: requalify(String(r["SQL Original Statement"] ?? ""), database, renameTo),
      sqlMode: String(r["sql_mode"] ?? ""),
      charset: String(r["character_set_client"] ?? "utf8mb4"),
      collation: String(r["collation_connection"] ?? "utf8mb4_general_ci"),
    });
  }
  const views = await db.query<{ n: string }>(
    "SELECT TABLE_NAME AS n FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
    [database],
  );
  for (const v of views) {
    const rows = await db.query<Record<string, string | null>>(
      `SHOW CREATE VIEW ${ident(database)}.${ident(v.n)}`,
    );
    const r = rows[0] ?? {};
    out.push({
      kind: "view",
      name: v.n,
      sql: requalify(String(r["Create View"] ?? ""), database, renameTo),
      sqlMode: "",
      charset: String(r["character_set_client"] ?? "utf8mb4"),
      collation: String(r["collation_connection"] ?? "utf8mb4_general_ci"),
    });
  }
  return out;
}

export async function dropObjects(
  db: Queryable,
  database: string,
  objects: readonly DbObject[],
): Promise<void> {
  for (const o of objects) {
    const what = o.kind === "trigger" ? "TRIGGER" : "VIEW";
    await db.execute(`DROP ${what} IF EXISTS ${ident(database)}.${ident(o.name)}`);
  }
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
        await db.execute(
          `DROP ${o.kind === "trigger" ? "TRIGGER" : "VIEW"} IF EXISTS ${ident(database)}.${ident(o.name)}`,
        );
        await db.execute(`SET SESSION sql_mode = ${literal(o.sqlMode)}`);
        await db.execute(
          `SET character_set_client = ${literal(o.charset)}, collation_connection = ${literal(o.collation)}`,
        );
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
