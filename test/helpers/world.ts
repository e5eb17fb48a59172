// "The world outside the restore target": everything a hostile or damaged archive must not change,
// whatever the exit code. Other databases (every table's CHECKSUM, views, triggers, routines,
// events), every account with its password hash and privileges, the rest of the `mysql` schema,
// and the files under given roots. Taken before and after a restore and compared whole.
//
// Hostile tests take it on a server of their own (startExtraServer), never on a shared one: a
// test that fails must not be able to damage the machine's own databases.
import { createHash } from "node:crypto";
import { readFile, readdir, readlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { connect } from "../../src/db/mysql.js";
import { ident } from "../../src/db/sql-text.js";
import type { DbTarget, Queryable } from "../../src/db/types.js";
import { walk } from "../../src/fsx/walk.js";

/** Changed by the server itself (statistics, logs): not part of the world a restore can harm. */
const VOLATILE_MYSQL = new Set([
  "innodb_index_stats",
  "innodb_table_stats",
  "table_stats",
  "column_stats",
  "index_stats",
  "general_log",
  "slow_log",
  "gtid_slave_pos",
  "transaction_registry",
]);
/** Privilege tables, compared row by row (filtered) instead of by checksum. */
const PRIV_TABLES: Record<string, string> = {
  global_priv: "SELECT Host, User, Priv FROM mysql.global_priv",
  db: "SELECT * FROM mysql.db",
  tables_priv:
    "SELECT Host, Db, User, Table_name, Grantor, Table_priv, Column_priv FROM mysql.tables_priv",
  columns_priv:
    "SELECT Host, Db, User, Table_name, Column_name, Column_priv FROM mysql.columns_priv",
  procs_priv:
    "SELECT Host, Db, User, Routine_name, Routine_type, Grantor, Proc_priv FROM mysql.procs_priv",
  proxies_priv: "SELECT * FROM mysql.proxies_priv",
  roles_mapping: "SELECT * FROM mysql.roles_mapping",
};
/** Routines and events live in mysql.proc / mysql.event keyed by their database. */
const BY_DB_TABLES: Record<string, string> = {
  proc: "SELECT db, name, type, body, definer, security_type FROM mysql.proc",
  event: "SELECT db, name, body, definer, status FROM mysql.event",
};
const INFO_SCHEMAS = new Set(["information_schema", "performance_schema", "sys"]);

export interface WorldOptions {
  /** Databases that belong to the restore target and may change (compared case-insensitively). */
  targetDatabases?: readonly string[];
  /** Accounts the restore may create or drop (user names, any host). */
  targetAccounts?: readonly string[];
  /** Directories whose whole trees are fingerprinted. */
  roots?: readonly string[];
  /** Paths (absolute) under the roots that belong to the target; skipped with everything below. */
  skipPaths?: readonly string[];
  /** The temp dir pmadmin runs with (default: os.tmpdir()). */
  tmpDir?: string;
}

export interface World {
  schemas: Record<string, Record<string, string>>;
  accounts: Record<string, string[]>;
  mysql: Record<string, string>;
  files: Record<string, string>;
  tmpDebris: string[];
}

function rowString(r: Record<string, unknown>, key: string): string {
  const v = r[key] ?? r[key.toLowerCase()];
  return typeof v === "string" ? v : Buffer.isBuffer(v) ? v.toString("utf8") : "";
}

function rowText(r: Record<string, unknown>): string {
  return JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString("hex") : v));
}

async function schemaFingerprint(db: Queryable, schema: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const tables = await db.query<{ n: string; t: string }>(
    "SELECT TABLE_NAME AS n, TABLE_TYPE AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
    [schema],
  );
  for (const t of tables) {
    if (t.t === "VIEW") {
      const v = await db.query<{ d: string; s: string }>(
        "SELECT VIEW_DEFINITION AS d, SECURITY_TYPE AS s FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
        [schema, t.n],
      );
      out[`view ${t.n}`] = rowText(v[0] ?? {});
      continue;
    }
    const rows = await db.query(`CHECKSUM TABLE ${ident(schema)}.${ident(t.n)}`);
    out[`table ${t.n}`] = String(rows[0]?.["Checksum"]);
  }
  const triggers = await db.query<{ n: string; s: string; d: string }>(
    "SELECT TRIGGER_NAME AS n, ACTION_STATEMENT AS s, DEFINER AS d FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?",
    [schema],
  );
  for (const t of triggers) out[`trigger ${t.n}`] = `${t.d} ${t.s}`;
  return out;
}

/** Privilege rows keyed by account, without the accounts the restore may touch. */
async function accountRows(
  db: Queryable,
  isTarget: (user: string) => boolean,
  isTargetDb: (db: string) => boolean,
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [table, sql] of Object.entries(PRIV_TABLES)) {
    for (const r of await db.query(sql)) {
      const user = rowString(r, "User");
      if (isTarget(user)) continue;
      const dbName = r["Db"] ?? r["db"];
      if (typeof dbName === "string" && isTargetDb(dbName.replaceAll("\\_", "_"))) continue;
      const key = `${user}@${rowString(r, "Host")}`;
      (out[key] ??= []).push(`${table} ${rowText(r)}`);
    }
  }
  for (const k of Object.keys(out)) out[k]?.sort();
  return out;
}

async function mysqlRest(
  db: Queryable,
  isTargetDb: (db: string) => boolean,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const tables = await db.query<{ n: string }>(
    "SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'mysql' AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
  );
  for (const { n } of tables) {
    if (VOLATILE_MYSQL.has(n) || n in PRIV_TABLES) continue;
    const byDb = BY_DB_TABLES[n];
    if (byDb) {
      const rows = (await db.query(byDb))
        .filter((r) => !isTargetDb(String(r["db"])))
        .map(rowText)
        .sort();
      out[n] = createHash("sha256").update(rows.join("\n")).digest("hex");
      continue;
    }
    const rows = await db.query(`CHECKSUM TABLE mysql.${ident(n)}`);
    out[n] = String(rows[0]?.["Checksum"]);
  }
  out["(tables)"] = tables.map((t) => t.n).join(",");
  return out;
}

async function filesFingerprint(
  roots: readonly string[],
  skip: readonly string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const skipped = (abs: string): boolean =>
    skip.some((s) => abs === s || abs.startsWith(`${s}${path.sep}`));
  for (const root of roots) {
    try {
      for await (const e of walk(root)) {
        if (skipped(e.abs)) continue;
        const mode = (e.stats.mode & 0o7777).toString(8);
        const key = path.join(root, e.rel);
        if (e.stats.isSymbolicLink()) out[key] = `link ${await readlink(e.abs)}`;
        else if (e.stats.isDirectory()) out[key] = `dir ${mode}`;
        else
          out[key] = `file ${mode} ${createHash("sha256")
            .update(await readFile(e.abs))
            .digest("hex")}`;
      }
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") throw error;
      out[root] = "missing";
    }
  }
  return out;
}

/**
 * pmadmin's work directories and option files left in a temp dir. Test files run in parallel and
 * share the system one: a hostile suite points TMPDIR at a private directory and passes it here.
 */
export async function tmpDebris(dir = tmpdir()): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith("pmadmin-")).sort();
}

export async function worldSnapshot(admin: DbTarget, o: WorldOptions = {}): Promise<World> {
  const targetDbs = new Set((o.targetDatabases ?? []).map((d) => d.toLowerCase()));
  const targetUsers = new Set(o.targetAccounts ?? []);
  const isTargetDb = (d: string): boolean => targetDbs.has(d.toLowerCase());
  const db = await connect({ ...admin, database: undefined });
  try {
    const schemas: World["schemas"] = {};
    for (const { Database: name } of await db.query<{ Database: string }>("SHOW DATABASES")) {
      if (INFO_SCHEMAS.has(name) || name === "mysql" || isTargetDb(name)) continue;
      schemas[name] = await schemaFingerprint(db, name);
    }
    return {
      schemas,
      accounts: await accountRows(db, (u) => targetUsers.has(u), isTargetDb),
      mysql: await mysqlRest(db, isTargetDb),
      files: await filesFingerprint(o.roots ?? [], o.skipPaths ?? []),
      tmpDebris: await tmpDebris(o.tmpDir),
    };
  } finally {
    await db.close();
  }
}

/** The world after must equal the world before, part by part (for readable failures). */
export function expectWorldUnchanged(before: World, after: World): void {
  expect(Object.keys(after.schemas).sort(), "databases on the server").toEqual(
    Object.keys(before.schemas).sort(),
  );
  for (const [name, fp] of Object.entries(before.schemas))
    expect(after.schemas[name], `database ${name}`).toEqual(fp);
  expect(after.accounts, "accounts and privileges").toEqual(before.accounts);
  expect(after.mysql, "the mysql schema").toEqual(before.mysql);
  expect(after.files, "files outside the target").toEqual(before.files);
  expect(after.tmpDebris, "pmadmin debris in the temp dir").toEqual(before.tmpDebris);
}
