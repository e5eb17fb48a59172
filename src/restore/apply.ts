// Applying a restore plan: stage (users, staging databases, staging directory), then swap under the
// journal. Before the swap any failure or interruption rolls back and leaves the live workspace as
// it was; once the swap has started it is completed (or rolled back) by recovery, never left mixed.
import { randomBytes } from "node:crypto";
import { chmod, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createAccount, newAccountName, strongPassword } from "../db/accounts.js";
import { connect, ident } from "../db/mysql.js";
import type { Db, DbTarget } from "../db/types.js";
import { failure, interrupted, isPmError, refused, throwIfInterrupted } from "../errors.js";
import { rewriteDefines, scanDefines } from "../install/php-defines.js";
import type { ArchiveSource } from "./archive-source.js";
import { readArchive } from "./archive-read.js";
import {
  baseTables,
  captureObjects,
  databaseExists,
  dropObjects,
  requalify,
  type DbObject,
} from "./db-objects.js";
import { clientHost, createLoader, dropLoader, newLoaderAccount } from "./loader.js";
import { foreignSchemas } from "./sql-references.js";
import { restoreWriteFailure } from "./write-failure.js";
import { loadDump } from "./db-load.js";
import { parseDbPhp } from "../install/db-php.js";
import { removeJournal, writeJournal, type Journal, type JournalStep } from "./journal-file.js";
import { entryCursor } from "./entry-spool.js";
import { filePlanner, plannedFiles, type RestorePlan } from "./plan.js";
import type { ArchiveScan } from "./scan.js";
import { FileStager } from "./stage-files.js";
import { recoverWorkspace, rollback, swapDatabases, swapFiles, finish } from "./swap.js";

export interface ApplyInput {
  plan: RestorePlan;
  scan: ArchiveScan;
  source: ArchiveSource;
  /** The restore's private work directory (the scan's spool files are there). */
  workDir: string;
  sharedDir: string;
  sitesDir: string;
  admin: DbTarget;
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
  progress: (message: string) => void;
  /** Always shown on stderr (recovery notes, the test pause marker). */
  notice: (message: string) => void;
}

export interface ApplyResult {
  workspace: string;
  databases: Array<{ source: string; target: string; tables: number }>;
  dbUser: string;
  newUser: boolean;
  files: number;
  bytes: number;
  definersRewritten: number;
  ownershipFailed: string[];
  replaced: boolean;
}

function names(target: string) {
  const rand = randomBytes(3).toString("hex");
  return {
    rand,
    stageDb: (live: string) => `${live.slice(0, 40)}__pmstage_${rand}`,
    oldDb: (live: string) => `${live.slice(0, 40)}__pmold_${rand}`,
    stageDir: `.pmadmin-stage-${target}-${rand}`,
    oldDir: `.pmadmin-old-${target}-${rand}`,
  };
}

/** Test hook: PMADMIN_TEST_PAUSE_AT=<step> makes the run wait there so a test can kill -9 it. */
async function pauseAt(
  env: Readonly<Record<string, string | undefined>>,
  step: string,
  progress: (m: string) => void,
): Promise<void> {
  if (env["PMADMIN_TEST_PAUSE_AT"] !== step) return;
  progress(`paused at ${step}`);
  await sleep(600_000);
}

/**
 * The restored db.php names what pmadmin decided: on -o the live db.php's DB_* values verbatim
 * (the account and databases that were there), else the new databases, account and server.
 */
async function rewriteDbPhp(
  file: string,
  plan: RestorePlan,
  hostValue: string,
  account: Account,
): Promise<void> {
  const source = await readFile(file, "utf8");
  const byName = new Map(plan.databases.map((d) => [d.source, d.target]));
  const values: Record<string, string> = {};
  for (const d of scanDefines(source)) {
    if (!d.key.startsWith("DB_")) continue;
    if (plan.account.kind === "live") {
      const live = plan.account.values[d.key];
      if (live !== undefined) values[d.key] = live;
      continue;
    }
    if (d.key.endsWith("_HOST")) values[d.key] = hostValue;
    if (d.key.endsWith("_NAME"))
      values[d.key] = byName.get(d.value) ?? plan.databases[0]?.target ?? d.value;
    if (d.key.endsWith("_USER")) values[d.key] = account.user;
    if (d.key.endsWith("_PASS")) values[d.key] = account.password;
  }
  const mode = (await stat(file)).mode & 0o7777;
  const tmp = `${file}.pmadmin-tmp`;
  await writeFile(tmp, rewriteDefines(source, values), { mode });
  await chmod(tmp, mode);
  await rename(tmp, file);
}

/** The distinct database users a workspace's db.php names (none when it has no db.php). */
async function workspaceUsers(siteDir: string): Promise<string[]> {
  try {
    const db = parseDbPhp(await readFile(path.join(siteDir, "db.php"), "utf8"));
    return [...new Set([db.wf.user, db.rbac.user, db.report.user].filter((u) => u !== ""))];
  } catch {
    return [];
  }
}

interface Account {
  user: string;
  password: string;
  /** The host of the account restored objects are defined by. */
  definerHost: string;
  /** pmadmin creates it (a new workspace) rather than using the live db.php's. */
  create: boolean;
}

function accountOf(plan: RestorePlan): Account {
  if (plan.account.kind === "live") {
    const { user, password, definerHost } = plan.account;
    return { user, password, definerHost, create: false };
  }
  return {
    user: newAccountName(),
    password: strongPassword(20),
    definerHost: "localhost",
    create: true,
  };
}

/** Refuses, before the swap, stored objects whose SQL names another schema on this server. */
async function assertOwnSchema(
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

/** A second line behind sql-directory.ts: no staged table keeps its files outside the datadir. */
async function assertNoDirectoryOption(db: Db, stages: readonly string[]): Promise<void> {
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

export async function applyRestore(i: ApplyInput): Promise<ApplyResult> {
  const { plan } = i;
  const n = names(plan.target);
  const account = accountOf(plan);
  const j: Journal = {
    version: 1,
    workspace: plan.target,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    step: "staging",
    siteDir: path.join(i.sitesDir, plan.target),
    stageDir: path.join(i.sitesDir, n.stageDir),
    oldDir: path.join(i.sitesDir, n.oldDir),
    databases: plan.databases.map((d) => ({
      live: d.target,
      stage: n.stageDb(d.target),
      old: n.oldDb(d.target),
      liveExisted: false,
      stageTables: [],
      liveTables: [],
      newObjects: [],
      oldObjects: [],
    })),
    createdUsers: [],
  };
  const step = async (s: JournalStep): Promise<void> => {
    j.step = s;
    await writeJournal(i.sharedDir, j);
    await pauseAt(i.env, s, i.notice);
  };
  await writeJournal(i.sharedDir, j);
  // The swap must finish or roll back its own step: an interruption does not cut it.
  const db = await connect(i.admin, i.env, { killOnInterrupt: false });
  let swapping = false;
  try {
    let created = false;
    if (account.create) {
      // Named in the journal first: a run killed in between leaves nothing rollback misses.
      j.createdUsers.push(account.user);
      await writeJournal(i.sharedDir, j);
      created = await createAccount(db, account.user, account.password, {
        databases: plan.databases.map((d) => d.target),
        ifMissing: true,
      });
    }
    for (const d of j.databases)
      await db.execute(
        `CREATE DATABASE ${ident(d.stage)} DEFAULT CHARACTER SET utf8 COLLATE utf8_general_ci`,
      );
    const loader = newLoaderAccount(await clientHost(db));
    j.loaders = [loader];
    await writeJournal(i.sharedDir, j);
    const loaderPassword = await createLoader(
      db,
      loader,
      j.databases.map((d) => d.stage),
    );
    await pauseAt(i.env, "loading", i.notice);
    throwIfInterrupted(i.signal);

    const stager = new FileStager(j.stageDir, i.workDir);
    // Pass 2 reads pass 1's entry records in lockstep with the archive and plans each entry again
    // (the same checks, the same result as the plan), so no list of entries is held.
    const planner = await filePlanner(i.scan, plan.layout.filesRoot);
    const known = entryCursor(i.scan.entries);
    const dumps = new Map(plan.databases.map((d, k) => [d.sqlPath, j.databases[k]?.stage ?? ""]));
    i.progress(
      `staging ${plan.databases.map((d) => d.target).join(", ")} and ${plan.fileCount} files`,
    );
    try {
      await readArchive(
        i.source,
        async (header, e) => {
          const k = await known.next();
          if (!k || k.path !== header.path || k.size !== header.size) {
            throw failure(
              "RESTORE.ARCHIVE_CHANGED",
              "The backup changed while it was being restored.",
            );
          }
          const stageDb = dumps.get(header.path);
          const p = planner.add(k);
          if (stageDb !== undefined) {
            i.progress(`loading ${header.path}`);
            await loadDump(e, {
              // The admin's connection target (host/port or socket), the loader's identity.
              account: { ...i.admin, user: loader.user, password: loaderPassword },
              database: stageDb,
              definer: "CURRENT_USER",
              engine: plan.meta.engine,
              env: i.env,
              signal: i.signal,
            });
          } else if (p) {
            await stager.write(p, e);
          } else {
            e.resume();
          }
        },
        i.signal,
      );
    } finally {
      await known.close();
    }
    await dropLoader(db, loader);
    j.loaders = [];
    await writeJournal(i.sharedDir, j);
    await assertNoDirectoryOption(
      db,
      j.databases.map((d) => d.stage),
    );
    throwIfInterrupted(i.signal);
    await stager.finishDirs();
    if (!plan.hasRootEntry) await chmod(j.stageDir, (await stat(i.sitesDir)).mode & 0o777);
    const hostValue = i.admin.port === undefined ? i.admin.host : `${i.admin.host}:${i.admin.port}`;
    await rewriteDbPhp(path.join(j.stageDir, "db.php"), plan, hostValue, account).catch(
      (error: unknown) => {
        throw restoreWriteFailure(error, "the restored db.php", j.stageDir) ?? error;
      },
    );
    const shared = await stat(i.sharedDir);
    const ownershipFailed = await stager.setOwnership(
      shared.uid,
      shared.gid,
      (async function* (scan, root) {
        for await (const f of plannedFiles(scan, root)) yield f.rel;
      })(i.scan, plan.layout.filesRoot),
    );

    const definer = { user: account.user, host: account.definerHost };
    let definersRewritten = 0;
    for (const d of j.databases) {
      d.newObjects = await captureObjects(db, d.stage, { definer });
      await assertOwnSchema(
        db,
        d.newObjects,
        j.databases.flatMap((x) => [x.stage, x.live]),
      );
      // Qualifiers of any of this restore's staging databases become the live names.
      d.newObjects = d.newObjects.map((o) => ({
        ...o,
        sql: j.databases.reduce((sql, x) => requalify(sql, x.stage, x.live), o.sql),
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
    j.replacedUsers = (await workspaceUsers(j.siteDir)).filter((u) => u !== account.user);
    await writeJournal(i.sharedDir, j);
    await pauseAt(i.env, "staged", i.notice);
    throwIfInterrupted(i.signal);
    // Re-check right before the destructive step: nobody created the workspace meanwhile.
    const liveNow = await stat(j.siteDir).then(
      () => true,
      () => false,
    );
    if (liveNow && !plan.replacing)
      throw refused(
        "RESTORE.WORKSPACE_EXISTS",
        `Workspace '${plan.target}' appeared during the restore.`,
        { hint: "Add -o to overwrite it." },
      );

    swapping = true;
    i.progress("swapping in the restored workspace");
    await step("swap-db");
    await swapDatabases(db, j);
    await step("db-swapped");
    await swapFiles(j);
    await step("files-swapped");
    await finish(db, j, i.notice);
    await removeJournal(i.sharedDir, j.workspace);
    return {
      workspace: plan.target,
      databases: plan.databases.map((d, k) => ({
        source: d.source,
        target: d.target,
        tables: j.databases[k]?.stageTables.length ?? 0,
      })),
      dbUser: account.user,
      newUser: created,
      files: stager.written,
      bytes: stager.bytes,
      definersRewritten,
      ownershipFailed,
      replaced: plan.replacing,
    };
  } catch (error) {
    if (swapping) {
      // The journal says how far the swap got; recovery finishes or undoes it.
      await recoverWorkspace({
        sharedDir: i.sharedDir,
        workspace: j.workspace,
        admin: () => Promise.resolve(i.admin),
        env: i.env,
        log: i.notice,
      }).catch(() => undefined);
      throw error;
    }
    const undone = await rollback(db, j).then(
      () => true,
      (e: unknown) => {
        i.progress(
          `cleanup after the failure is incomplete (${String(e)}); the next pmadmin run on '${j.workspace}' finishes it`,
        );
        return false;
      },
    );
    if (undone) await removeJournal(i.sharedDir, j.workspace);
    if (i.signal.aborted && !isPmError(error)) throw interrupted();
    throw error;
  } finally {
    await db.close();
  }
}
