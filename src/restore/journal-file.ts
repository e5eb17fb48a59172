// The restore journal: a small JSON file per workspace, `<shared>/.pmadmin-journal/<ws>.json`,
// written (temp file, fsync, rename, fsync dir) before each step of a restore. If pmadmin is killed,
// the next run on that workspace calls recoverWorkspace(), which finishes the swap when the database
// rename already happened (the staged copy is complete by then) or rolls everything back when it
// did not. Either way the live workspace ends wholly old or wholly new. No secrets are stored.
import { open, readFile, rename, rm, mkdir, unlink } from "node:fs/promises";
import path from "node:path";
import { refused } from "../errors.js";
import { pidAlive } from "../exec/pid.js";
import type { DbObject } from "./db-objects.js";

export type JournalStep = "staging" | "swap-db" | "db-swapped" | "files-swapped";

export interface JournalDb {
  live: string;
  stage: string;
  old: string;
  liveExisted: boolean;
  /** Base tables of the staging database at swap time (moved into live by the rename). */
  stageTables: string[];
  /** Base tables of the live database at swap time (moved into old by the rename). */
  liveTables: string[];
  newObjects: DbObject[];
  oldObjects: DbObject[];
}

export interface Journal {
  version: 1;
  workspace: string;
  pid: number;
  startedAt: string;
  step: JournalStep;
  siteDir: string;
  stageDir: string;
  oldDir: string;
  databases: JournalDb[];
  /** Database users this run created (dropped again on rollback). */
  createdUsers: string[];
  /**
   * Database users of the workspace being replaced that the restored db.php no longer names.
   * finish() drops each one that no other workspace's db.php uses, so `-o` under a new name
   * leaves no orphaned account holding privileges. Optional: journals of older runs lack it.
   */
  replacedUsers?: string[];
  /**
   * Temporary accounts the dump is loaded as (loader.ts), named here before they are created so
   * that rollback and recovery drop them whatever happens. Optional: older journals lack it.
   */
  loaders?: Array<{ user: string; host: string }>;
}

export function journalDir(sharedDir: string): string {
  return path.join(sharedDir, ".pmadmin-journal");
}

export function journalPath(sharedDir: string, workspace: string): string {
  return path.join(journalDir(sharedDir), `${workspace.toLowerCase()}.json`);
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function writeJournal(sharedDir: string, j: Journal): Promise<void> {
  const dir = journalDir(sharedDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = journalPath(sharedDir, j.workspace);
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.writeFile(JSON.stringify(j, null, 1));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await fsyncDir(dir);
}

export async function readJournal(
  sharedDir: string,
  workspace: string,
): Promise<Journal | undefined> {
  try {
    return JSON.parse(await readFile(journalPath(sharedDir, workspace), "utf8")) as Journal;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw error;
  }
}

export async function removeJournal(sharedDir: string, workspace: string): Promise<void> {
  await unlink(journalPath(sharedDir, workspace)).catch(() => undefined);
  await fsyncDir(journalDir(sharedDir)).catch(() => undefined);
}

/** Whether the run that wrote a journal is still going (this process never counts: it is us). */
export function ownerAlive(j: Journal): boolean {
  return j.pid !== process.pid && pidAlive(j.pid);
}

export function assertNotRunning(j: Journal): void {
  if (ownerAlive(j)) {
    throw refused(
      "RESTORE.IN_PROGRESS",
      `A restore of workspace '${j.workspace}' is running (pid ${j.pid}).`,
      {
        hint: "Wait for it to finish; if that process is not pmadmin, remove the journal in <shared>/.pmadmin-journal/.",
      },
    );
  }
}

export async function removeTree(p: string): Promise<void> {
  // rm never follows symbolic links inside the tree (unlike ProcessMaker's G::rm_dir).
  await rm(p, { recursive: true, force: true });
}
