// The swap and its two ways out. Every function here is idempotent, because recovery may run it
// again after a crash at any point inside it.
import { readFile, readdir, rename } from "node:fs/promises";
import path from "node:path";
import { dropAccount } from "../db/accounts.js";
import { connect } from "../db/mysql.js";
import { ident } from "../db/sql-text.js";
import { parseDbPhp } from "../install/db-php.js";
import type { Db, DbTarget, Queryable } from "../db/types.js";
import { dropLoader } from "./loader.js";
import {
  baseTables,
  createObjects,
  databaseExists,
  dropIfEmpty,
  dropObjects,
} from "./db-objects.js";
import {
  assertNotRunning,
  readJournal,
  removeJournal,
  removeTree,
  writeJournal,
  type Journal,
} from "./journal-file.js";
import { pathExists } from "../fsx/exists.js";

/** Whether the atomic RENAME TABLE already ran: the staged tables have left the staging databases. */
export async function databasesRenamed(db: Queryable, j: Journal): Promise<boolean> {
  for (const d of j.databases) {
    if (d.stageTables.length === 0) continue;
    if (!(await databaseExists(db, d.stage))) return true;
    if ((await baseTables(db, d.stage)).length > 0) return false;
    return true;
  }
  return true;
}

/** Step swap-db: one RENAME TABLE moves live→old and staging→live for every database at once. */
export async function swapDatabases(db: Db, j: Journal): Promise<void> {
  if (!(await databasesRenamed(db, j))) {
    const renames: string[] = [];
    for (const d of j.databases) {
      if (!(await databaseExists(db, d.live)))
        await db.execute(
          `CREATE DATABASE ${ident(d.live)} DEFAULT CHARACTER SET utf8 COLLATE utf8_general_ci`,
        );
      if (d.liveTables.length > 0 && !(await databaseExists(db, d.old)))
        await db.execute(`CREATE DATABASE ${ident(d.old)}`);
      await dropObjects(db, d.live, d.oldObjects);
      for (const t of d.liveTables)
        renames.push(`${ident(d.live)}.${ident(t)} TO ${ident(d.old)}.${ident(t)}`);
      for (const t of d.stageTables)
        renames.push(`${ident(d.stage)}.${ident(t)} TO ${ident(d.live)}.${ident(t)}`);
    }
    if (renames.length > 0) await db.execute(`RENAME TABLE ${renames.join(", ")}`);
  }
  for (const d of j.databases) await createObjects(db, d.live, d.newObjects);
}

/** Step db-swapped → files: sites/<ws> → old, staging → sites/<ws> (two atomic renames). */
export async function swapFiles(j: Journal): Promise<void> {
  if (!(await pathExists(j.stageDir))) return;
  if ((await pathExists(j.siteDir)) && !(await pathExists(j.oldDir)))
    await rename(j.siteDir, j.oldDir);
  if (!(await pathExists(j.siteDir))) await rename(j.stageDir, j.siteDir);
}

/** Drops the journal's loading accounts (none left behind by any way out). */
async function dropLoaders(db: Queryable, j: Journal): Promise<void> {
  for (const l of j.loaders ?? []) await dropLoader(db, l);
}

export async function finish(
  db: Queryable,
  j: Journal,
  log: (m: string) => void = () => undefined,
): Promise<void> {
  await dropLoaders(db, j);
  for (const d of j.databases) {
    await db.execute(`DROP DATABASE IF EXISTS ${ident(d.old)}`);
    await db.execute(`DROP DATABASE IF EXISTS ${ident(d.stage)}`);
  }
  await removeTree(j.oldDir);
  if (j.replacedUsers && j.replacedUsers.length > 0) {
    const inUse = await usersNamedBySites(path.dirname(j.siteDir));
    for (const u of j.replacedUsers) {
      if (inUse.has(u)) continue;
      await dropAccount(db, u);
      log(
        `dropped database user ${u}: the replaced workspace used it and no workspace's db.php names it now`,
      );
    }
  }
}

/** Every database user some sites/<ws>/db.php names (staging and old copies included). */
async function usersNamedBySites(sitesDir: string): Promise<Set<string>> {
  const users = new Set<string>();
  for (const name of await readdir(sitesDir).catch(() => [] as string[])) {
    try {
      const db = parseDbPhp(await readFile(path.join(sitesDir, name, "db.php"), "utf8"));
      for (const u of [db.wf.user, db.rbac.user, db.report.user]) users.add(u);
    } catch {
      // not a workspace (no or unreadable db.php): names nobody
    }
  }
  return users;
}

/** Undo a run whose database rename did not happen: the live workspace was never touched. */
export async function rollback(db: Queryable, j: Journal): Promise<void> {
  await dropLoaders(db, j);
  for (const d of j.databases) {
    if (await databaseExists(db, d.live)) await createObjects(db, d.live, d.oldObjects);
    await db.execute(`DROP DATABASE IF EXISTS ${ident(d.stage)}`);
    await dropIfEmpty(db, d.old);
    if (!d.liveExisted) await dropIfEmpty(db, d.live);
  }
  for (const u of j.createdUsers) await dropAccount(db, u);
  await removeTree(j.stageDir);
}

export type RecoveryOutcome = "none" | "rolled-back" | "completed";

export interface RecoverOptions {
  sharedDir: string;
  workspace: string;
  admin: () => Promise<DbTarget>;
  env: Readonly<Record<string, string | undefined>>;
  log: (message: string) => void;
}

/**
 * Completes or rolls back a restore of `workspace` that was killed. Call it at the start of any
 * command that touches the workspace. Refuses (exit 3) while the journal's owner is still running.
 */
export async function recoverWorkspace(o: RecoverOptions): Promise<RecoveryOutcome> {
  const j = await readJournal(o.sharedDir, o.workspace);
  if (!j) return "none";
  assertNotRunning(j);
  const db = await connect(await o.admin(), o.env, { killOnInterrupt: false });
  try {
    if (j.step === "staging" || (j.step === "swap-db" && !(await databasesRenamed(db, j)))) {
      o.log(
        `recovering an interrupted restore of '${j.workspace}': rolling back (the live workspace was not changed)`,
      );
      await rollback(db, j);
      await removeJournal(o.sharedDir, j.workspace);
      return "rolled-back";
    }
    o.log(`recovering an interrupted restore of '${j.workspace}': completing the swap`);
    if (j.step === "swap-db") {
      await swapDatabases(db, j);
      j.step = "db-swapped";
      await writeJournal(o.sharedDir, j);
    }
    if (j.step === "db-swapped") {
      await swapFiles(j);
      j.step = "files-swapped";
      await writeJournal(o.sharedDir, j);
    }
    await finish(db, j, o.log);
    await removeJournal(o.sharedDir, j.workspace);
    return "completed";
  } finally {
    await db.close();
  }
}
