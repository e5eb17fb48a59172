// Between the load and the swap: what the dump created is checked and taken apart. No staged table
// keeps its files outside the datadir; the staged views, triggers, routines and events are captured
// with the workspace's definer, refused if they name another schema, and dropped from staging (the
// swap creates them in the live databases); and the live databases' own objects are captured so
// the swap (or a rollback) can put them back.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Db } from "../db/types.js";
import { failure, refused } from "../errors.js";
import { parseDbPhp } from "../install/db-php.js";
import {
  baseTables,
  captureObjects,
  databaseExists,
  dropObjects,
  requalify,
  type DbObject,
} from "./db-objects.js";
import type { JournalDb } from "./journal-file.js";
import { foreignSchemas } from "./sql-references.js";

/** A second line behind sql-directory.ts: no staged table keeps its files outside the datadir. */
export async function assertNoDirectoryOption(db: Db, stages: readonly string[]): Promise<void> {
  for (const stage of stages) {
    const rows = await db.query<{ t: string }>(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND CREATE_OPTIONS LIKE '%DIRECTORY%'",
      [stage],
    );
    if (rows.length > 0)
      throw failure(
        "RESTORE.SQL_UNSAFE",
        `The dump created table ${rows[0]?.t ?? ""} with its files outside the database server's data directory; nothing was swapped in.`,
        {
          hint: "DATA DIRECTORY / INDEX DIRECTORY options are never restored. Remove them from the dump.",
        },
      );
  }
}

/** Refuses, before the swap, stored objects whose SQL names another schema on this server. */
export async function assertOwnSchema(
  db: Db,
  objects: readonly DbObject[],
  allowed: readonly string[],
): Promise<void> {
  const schemas = (await db.query<{ Database: string }>("SHOW DATABASES")).map((r) => r.Database);
  for (const o of objects) {
    const foreign = foreignSchemas(o.sql, allowed, schemas);
    if (foreign.length > 0) {
      throw refused(
        "RESTORE.FOREIGN_REFERENCE",
        `The backup's ${o.kind} ${o.name} refers to ${foreign.map((f) => `'${f}'`).join(", ")}, another schema on this server; nothing was swapped in.`,
        {
          hint: "A workspace's views, triggers, routines and events may use its own database only. Remove the object from the dump, or restore onto a server without that schema.",
        },
      );
    }
  }
}

/**
 * Captures each staged database's objects as defined by `definer`, checks them, names the live
 * databases in them instead of the staging ones and drops them from staging; then records what the
 * swap moves (base tables) and what it replaces (the live database's tables and objects). Fills in
 * the journal's entries as it goes; returns how many objects got the workspace's definer.
 */
export async function captureAndCheckObjects(
  db: Db,
  databases: JournalDb[],
  definer: { user: string; host: string },
): Promise<number> {
  const allowed = databases.flatMap((x) => [x.stage, x.live]);
  let definersRewritten = 0;
  for (const d of databases) {
    const captured = await captureObjects(db, d.stage, { definer });
    await assertOwnSchema(db, captured, allowed);
    // Qualifiers of any of this restore's staging databases become the live names.
    d.newObjects = captured.map((o) => ({
      ...o,
      sql: databases.reduce((sql, x) => requalify(sql, x.stage, x.live), o.sql),
    }));
    definersRewritten += d.newObjects.length;
    await dropObjects(db, d.stage, d.newObjects);
    d.stageTables = await baseTables(db, d.stage);
    d.liveExisted = await databaseExists(db, d.live);
    if (d.liveExisted) {
      d.liveTables = await baseTables(db, d.live);
      d.oldObjects = await captureObjects(db, d.live);
    }
  }
  return definersRewritten;
}

/**
 * The database users of the workspace being replaced that `keep` is not: finish() drops each one
 * no other workspace's db.php names. None when the workspace has no (readable) db.php.
 */
export async function replacedUsers(siteDir: string, keep: string): Promise<string[]> {
  try {
    const db = parseDbPhp(await readFile(path.join(siteDir, "db.php"), "utf8"));
    const users = new Set([db.wf.user, db.rbac.user, db.report.user].filter((u) => u !== ""));
    return [...users].filter((u) => u !== keep);
  } catch {
    return [];
  }
}
