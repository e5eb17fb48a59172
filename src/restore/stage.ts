// Staging a restore next to the live workspace, which it does not touch: the workspace's account,
// the staging databases, the dumps loaded as the temporary loader account, the files written into
// the staging directory, its db.php rewritten. Everything made here is named in the journal first.
import { chmod, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { createAccount, newAccountName, strongPassword } from "../db/accounts.js";
import { ident } from "../db/sql-text.js";
import type { Db, DbTarget } from "../db/types.js";
import { failure } from "../errors.js";
import { rewriteDefines, scanDefines } from "../install/php-defines.js";
import type { ArchiveSource } from "../archive/read/source.js";
import { readArchive } from "../archive/read/reader.js";
import { loadDump } from "./db-load.js";
import { entryCursor } from "../archive/read/entry-spool.js";
import { clientHost, createLoader, dropLoader, newLoaderAccount } from "./loader.js";
import { filePlanner, plannedFiles, type RestorePlan } from "./plan.js";
import type { RestoreJournal } from "./run-journal.js";
import type { ArchiveScan } from "./scan.js";
import { FileStager } from "./stage-files.js";
import { restoreWriteFailure } from "./write-failure.js";

/** The database account the restored workspace uses (plan-names.ts decided which kind). */
export interface WorkspaceAccount {
  user: string;
  password: string;
  /** The host of the account restored objects are defined by. */
  definerHost: string;
  /** pmadmin creates it (a new workspace) rather than using the live db.php's. */
  create: boolean;
}

export function workspaceAccount(plan: RestorePlan): WorkspaceAccount {
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

/** Creates a new workspace's account (named in the journal first); whether it created one. */
export async function createWorkspaceAccount(
  db: Db,
  journal: RestoreJournal,
  account: WorkspaceAccount,
): Promise<boolean> {
  if (!account.create) return false;
  await journal.record({ createdUsers: [...journal.state.createdUsers, account.user] });
  return createAccount(db, account.user, account.password, {
    databases: journal.databases.map((d) => d.live),
    ifMissing: true,
  });
}

export async function createStagingDatabases(db: Db, journal: RestoreJournal): Promise<void> {
  for (const d of journal.databases)
    await db.execute(
      `CREATE DATABASE ${ident(d.stage)} DEFAULT CHARACTER SET utf8 COLLATE utf8_general_ci`,
    );
}

export interface StageInput {
  plan: RestorePlan;
  scan: ArchiveScan;
  source: ArchiveSource;
  /** The restore's private work directory (the scan's spool files are there). */
  workDir: string;
  admin: DbTarget;
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
  progress: (message: string) => void;
}

/**
 * The temporary loader account, with privileges on the staging databases only: named in the
 * journal, created, used for `load`, dropped (and struck from the journal) after it.
 */
export async function asLoader(
  db: Db,
  journal: RestoreJournal,
  load: (loader: { user: string; password: string }) => Promise<void>,
): Promise<void> {
  const loader = newLoaderAccount(await clientHost(db));
  await journal.record({ loaders: [loader] });
  const password = await createLoader(
    db,
    loader,
    journal.databases.map((d) => d.stage),
  );
  await journal.advance("loading");
  await load({ user: loader.user, password });
  await dropLoader(db, loader);
  await journal.record({ loaders: [] });
}

/**
 * Pass 2: reads the archive once, loading each dump into its staging database as `loader` and
 * writing the workspace's entries into the staging directory. Pass 1's entry records are read in
 * lockstep and each entry is planned again (the same checks, the same result as the plan), so no
 * list of entries is held.
 */
export async function loadDumpsAndFiles(
  i: StageInput,
  journal: RestoreJournal,
  stager: FileStager,
  loader: { user: string; password: string },
): Promise<void> {
  const { plan } = i;
  const planner = await filePlanner(i.scan, plan.layout.filesRoot);
  const known = entryCursor(i.scan.entries);
  const dumps = new Map(
    plan.databases.map((d, k) => [d.sqlPath, journal.databases[k]?.stage ?? ""]),
  );
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
            account: { ...i.admin, ...loader },
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
}

/**
 * The staged directory as the workspace will be: directory modes, the root's mode (the sites/
 * directory's when the archive has no entry for it), the rewritten db.php, the shared directory's
 * owner and group. Returns the files whose owner could not be set.
 */
export async function finishStagedTree(
  i: StageInput & { sharedDir: string; sitesDir: string },
  stageDir: string,
  stager: FileStager,
  account: WorkspaceAccount,
): Promise<string[]> {
  const { plan } = i;
  await stager.finishDirs();
  if (!plan.hasRootEntry) await chmod(stageDir, (await stat(i.sitesDir)).mode & 0o777);
  const hostValue = i.admin.port === undefined ? i.admin.host : `${i.admin.host}:${i.admin.port}`;
  await rewriteDbPhp(path.join(stageDir, "db.php"), plan, hostValue, account).catch(
    (error: unknown) => {
      throw restoreWriteFailure(error, "the restored db.php", stageDir) ?? error;
    },
  );
  const shared = await stat(i.sharedDir);
  return stager.setOwnership(
    shared.uid,
    shared.gid,
    (async function* (scan, root) {
      for await (const f of plannedFiles(scan, root)) yield f.rel;
    })(i.scan, plan.layout.filesRoot),
  );
}

/**
 * The restored db.php names what pmadmin decided: on -o the live db.php's DB_* values verbatim
 * (the account and databases that were there), else the new databases, account and server.
 */
async function rewriteDbPhp(
  file: string,
  plan: RestorePlan,
  hostValue: string,
  account: WorkspaceAccount,
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
