// A restore, phase by phase: lock the target → recover a restore of it that was killed → read the
// target's state → plan (every refusal, no write) → confirm → stage (account, staging databases,
// the dumps loaded as the loader account, the files) → capture and check the loaded objects → swap.
// Before the swap any failure or interruption rolls back and leaves the live workspace as it was;
// once the swap has started it is completed (or undone) by recovery, never left mixed.
import type { FileCounts } from "../fsx/counts.js";
import { stat } from "node:fs/promises";
import { connect, withDb } from "../db/mysql.js";
import type { Db, DbTarget } from "../db/types.js";
import { interrupted, isPmError, refused, throwIfInterrupted } from "../errors.js";
import { loadWorkspace, type Installation } from "../install/installation.js";
import { acquireWorkspaceLocks, type WorkspaceLocks } from "../lock/workspace-lock.js";
import type { Platform } from "../runtime.js";
import type { ArchiveSource } from "../archive/read/source.js";
import { assertNoDirectoryOption, captureAndCheckObjects, replacedUsers } from "./objects-check.js";
import { archiveWorkspaces, planRestore, type RestoreOptions, type RestorePlan } from "./plan.js";
import { RestoreJournal } from "./run-journal.js";
import type { ArchiveScan } from "./scan.js";
import {
  asLoader,
  createStagingDatabases,
  createWorkspaceAccount,
  finishStagedTree,
  loadDumpsAndFiles,
  workspaceAccount,
} from "./stage.js";
import { FileStager } from "./stage-files.js";
import { finish, recoverWorkspace, rollback, swapDatabases, swapFiles } from "./swap.js";
import { readTargetState } from "./target-state.js";

export interface RestoreRun {
  scan: ArchiveScan;
  source: ArchiveSource;
  /** The restore's private work directory (the scan's spool files are there). */
  workDir: string;
  options: RestoreOptions;
  /** Plan only: no lock, no recovery, nothing written. */
  dryRun: boolean;
  inst: Installation;
  /** The admin connection (resolved once the target is known, as before this module). */
  admin: () => Promise<DbTarget>;
  env: Readonly<Record<string, string | undefined>>;
  platform: Platform;
  signal: AbortSignal;
  progress: (message: string) => void;
  /** Always shown on stderr (recovery notes, the test pause marker). */
  notice: (message: string) => void;
  warn: (message: string) => void;
  /** Asked before an existing workspace is replaced; false refuses (nothing changed). */
  confirm: (plan: RestorePlan) => Promise<boolean>;
}

export interface RestoreResult {
  workspace: string;
  databases: Array<{ source: string; target: string; tables: number }>;
  dbUser: string;
  newUser: boolean;
  files: FileCounts;
  definersRewritten: number;
  ownershipFailed: string[];
  replaced: boolean;
  /** The restored db.php's credentials connect (checked after the swap). */
  credentialsConnect: boolean;
}

export type RestoreOutcome =
  { dryRun: true; plan: RestorePlan } | { dryRun: false; plan: RestorePlan; result: RestoreResult };

/** A run whose admin connection is known. */
type Run = Omit<RestoreRun, "admin"> & { admin: DbTarget };

export async function runRestore(run: RestoreRun): Promise<RestoreOutcome> {
  const target = await targetWorkspace(run.scan, run.options);
  const r: Run = { ...run, admin: await run.admin() };
  const locks = r.dryRun || target === "" ? undefined : await lockWorkspace(r, target);
  try {
    if (locks) await recoverTarget(r, target);
    const state = await withDb(r.admin, r.env, (db) =>
      readTargetState(db, r.inst.sitesDir, r.platform),
    );
    const plan = await planRestore(r.scan, r.options, state);
    for (const w of plan.warnings) r.warn(w);
    if (r.dryRun) return { dryRun: true, plan };
    if (plan.replacing && !(await r.confirm(plan))) {
      throw refused(
        "RESTORE.NOT_CONFIRMED",
        `Restore over workspace '${plan.target}' was not confirmed; nothing was changed.`,
        { hint: "Answer yes, or pass --yes." },
      );
    }
    locks?.assertHeld();
    const result = await stageAndSwap(r, plan);
    result.credentialsConnect = await credentialsConnect(r, plan);
    return { dryRun: false, plan, result };
  } finally {
    await locks?.release();
  }
}

/** The workspace the restore writes, known before the plan: it is what gets locked. */
async function targetWorkspace(scan: ArchiveScan, o: RestoreOptions): Promise<string> {
  const workspaces = await archiveWorkspaces(scan);
  return (
    o.newName ??
    o.sourceWorkspace ??
    (workspaces.length === 1 ? workspaces[0]?.layout.name : undefined) ??
    "" // none: the plan refuses it
  );
}

async function lockWorkspace(r: Run, target: string): Promise<WorkspaceLocks> {
  return acquireWorkspaceLocks({
    sharedDir: r.inst.sharedDir,
    workspaces: [target],
    operation: "restore",
  });
}

/** A restore of the target that was killed is finished or undone before this one plans. */
async function recoverTarget(r: Run, target: string): Promise<void> {
  await recoverWorkspace({
    sharedDir: r.inst.sharedDir,
    workspace: target,
    admin: () => Promise.resolve(r.admin),
    env: r.env,
    log: (m) => r.warn(m),
  });
}

async function stageAndSwap(r: Run, plan: RestorePlan): Promise<RestoreResult> {
  const { sharedDir, sitesDir } = r.inst;
  const account = workspaceAccount(plan);
  const journal = await RestoreJournal.begin({
    plan,
    sharedDir,
    sitesDir,
    env: r.env,
    notice: r.notice,
  });
  const j = journal.state;
  // The swap must finish or roll back its own step: an interruption does not cut it.
  const db = await connect(r.admin, r.env, { killOnInterrupt: false });
  let swapping = false;
  try {
    // Stage.
    const newUser = await createWorkspaceAccount(db, journal, account);
    await createStagingDatabases(db, journal);
    const stage = { ...r, plan, sharedDir, sitesDir };
    const stager = new FileStager(j.stageDir, r.workDir);
    await asLoader(db, journal, async (loader) => {
      throwIfInterrupted(r.signal);
      await loadDumpsAndFiles(stage, journal, stager, loader);
    });
    await assertNoDirectoryOption(
      db,
      journal.databases.map((d) => d.stage),
    );
    throwIfInterrupted(r.signal);
    const ownershipFailed = await finishStagedTree(stage, j.stageDir, stager, account);

    // Capture and check the loaded objects.
    const definer = { user: account.user, host: account.definerHost };
    const definersRewritten = await captureAndCheckObjects(db, journal.databases, definer);
    await journal.record({ replacedUsers: await replacedUsers(j.siteDir, account.user) });
    await journal.advance("staged");
    throwIfInterrupted(r.signal);
    await assertStillAbsentUnlessReplacing(plan, j.siteDir);

    // Swap.
    swapping = true;
    r.progress("swapping in the restored workspace");
    await swapIn(db, journal, r.notice);
    return {
      workspace: plan.target,
      databases: plan.databases.map((d, k) => ({
        source: d.source,
        target: d.target,
        tables: j.databases[k]?.stageTables.length ?? 0,
      })),
      dbUser: account.user,
      newUser,
      // Every planned entry was written (the stager fails otherwise): the plan's counts are the result.
      files: plan.files,
      definersRewritten,
      ownershipFailed,
      replaced: plan.replacing,
      credentialsConnect: true,
    };
  } catch (error) {
    throw swapping ? await recoverSwap(r, journal, error) : await rollBack(r, db, journal, error);
  } finally {
    await db.close();
  }
}

/** Re-checked right before the destructive step: nobody created the workspace meanwhile. */
async function assertStillAbsentUnlessReplacing(plan: RestorePlan, siteDir: string): Promise<void> {
  const liveNow = await stat(siteDir).then(
    () => true,
    () => false,
  );
  if (liveNow && !plan.replacing)
    throw refused(
      "RESTORE.WORKSPACE_EXISTS",
      `Workspace '${plan.target}' appeared during the restore.`,
      { hint: "Add -o to overwrite it." },
    );
}

/** Databases, then files, each step in the journal before it starts; then the old copies go. */
async function swapIn(db: Db, journal: RestoreJournal, notice: (m: string) => void): Promise<void> {
  await journal.advance("swap-db");
  await swapDatabases(db, journal.state);
  await journal.advance("db-swapped");
  await swapFiles(journal.state);
  await journal.advance("files-swapped");
  await finish(db, journal.state, notice);
  await journal.remove();
}

/** A failure once the swap began: the journal says how far it got; recovery finishes or undoes it. */
async function recoverSwap(r: Run, journal: RestoreJournal, error: unknown): Promise<unknown> {
  await recoverWorkspace({
    sharedDir: r.inst.sharedDir,
    workspace: journal.state.workspace,
    admin: () => Promise.resolve(r.admin),
    env: r.env,
    log: r.notice,
  }).catch(() => undefined);
  return error;
}

/** A failure before the swap: everything staged goes (the live workspace was never touched). */
async function rollBack(r: Run, db: Db, journal: RestoreJournal, error: unknown): Promise<unknown> {
  const undone = await rollback(db, journal.state).then(
    () => true,
    (e: unknown) => {
      r.progress(
        `cleanup after the failure is incomplete (${String(e)}); the next pmadmin run on '${journal.state.workspace}' finishes it`,
      );
      return false;
    },
  );
  if (undone) await journal.remove();
  if (r.signal.aborted && !isPmError(error)) return interrupted();
  return error;
}

/** The restored db.php must work as written; say so now rather than at the first web request. */
async function credentialsConnect(r: Run, plan: RestorePlan): Promise<boolean> {
  try {
    const ws = await loadWorkspace(r.inst, plan.target);
    const db = await connect(
      {
        host: ws.db.wf.host,
        port: ws.db.wf.port,
        user: ws.db.wf.user,
        password: ws.db.wf.password,
        database: ws.db.wf.name,
      },
      r.env,
    );
    await db.close();
    return true;
  } catch {
    return false;
  }
}
