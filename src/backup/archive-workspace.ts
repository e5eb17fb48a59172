// What goes into the archive for the workspaces: every meta first, then per workspace its site
// files (while its databases are dumped, one after the other, into the stage directory) and its
// dumps. Returns the manifest's record of each workspace and the report shown to the user.
import { rm } from "node:fs/promises";
import path from "node:path";
import { encodeMeta } from "../archive/meta.js";
import type { ManifestDatabase, ManifestWorkspace } from "../archive/manifest.js";
import type { TarWriter } from "../archive/tar-writer.js";
import { isPmError } from "../errors.js";
import type { Workspace } from "../install/installation.js";
import type { Runtime } from "../runtime.js";
import { dumpDatabase, type DumpResult } from "./dump.js";
import { manifestDatabase } from "./manifest-values.js";
import { buildWorkspaceMeta } from "./meta-values.js";
import type { Prepared, PreparedWorkspace } from "./prepare.js";
import type { Progress } from "./progress.js";
import { archiveSiteFiles, type OpenForRead, type SiteFilesResult } from "./site-files.js";
import type { SiteFs } from "./site-fs.js";
import { runTarJob } from "./tar-thread.js";

export interface WorkspaceReport {
  name: string;
  databases: Array<{
    name: string;
    tables: number;
    rows: number;
    views: number;
    triggers: number;
    dumpBytes: number;
  }>;
  files: { count: number; directories: number; symlinks: number; bytes: number };
  skipped: string[];
  /** Deleted while the backup walked the tree (cache churn): left out. */
  vanished: string[];
  /** Changed while read: archived as read (header and checksum match what is in the archive). */
  changed: Array<{ path: string; why: string }>;
}

/** One backup run's archive side: where entries go and what they need. */
export interface ArchiveRun {
  tar: TarWriter;
  prep: Prepared;
  /** Private directory beside the target that the dumps are written to first. */
  stageDir: string;
  /** The backup's final path, for messages. */
  target: string;
  skipUnreadable: boolean;
  env: Runtime["env"];
  progress: Progress;
  openFile: OpenForRead | undefined;
  siteFs: Partial<SiteFs> | undefined;
  /** Fired by a signal or a failure: stops the dumps and the file walk at once. */
  stop: AbortController;
  /** Every workspace's dumps, settled before the stage directory is removed. */
  pendingDumps: Array<Promise<unknown>>;
  /** Owner and time of the entries pmadmin makes (metas, dumps, manifest). */
  stamp: { uid: number; gid: number; mtime: number };
  warn: (text: string) => void;
}

/**
 * Every workspace's meta first: the leading .meta entries then name the archive's whole
 * workspace set, which --keep reads from the first few KiB (retention.ts).
 */
export async function archiveMetas(run: ArchiveRun): Promise<void> {
  for (const { ws, databases } of run.prep.workspaces) {
    run.progress.phase(`${ws.name}: meta`);
    const meta = buildWorkspaceMeta(run.prep.facts, ws, databases[0]?.inventory.server.version);
    await run.tar.addBuffer(
      { name: `${ws.name}.meta`, mode: 0o600, ...run.stamp },
      Buffer.from(encodeMeta(meta), "utf8"),
    );
  }
}

export async function archiveWorkspace(
  run: ArchiveRun,
  pw: PreparedWorkspace,
): Promise<{ manifest: ManifestWorkspace; report: WorkspaceReport }> {
  const { ws } = pw;
  const dumpsDone = dumpDatabases(run, pw);
  // A failed dump stops the file archiving too: no point in finishing an archive we will drop.
  run.pendingDumps.push(dumpsDone.catch((e: unknown) => run.stop.abort(e)));
  run.progress.phase(`${ws.name}: files`);
  const files = await archiveFiles(run, ws, dumpsDone);
  for (const s of files.skipped) run.warn(`skipped unreadable ${s}`);
  // A live installation creates and deletes cache files all the time: not worth failing for.
  for (const s of files.vanished) run.warn(`${s} vanished while the backup ran; left out`);
  for (const c of files.changed) run.warn(`${c.path} ${c.why}`);
  for (const s of files.ignored) run.warn(`left out ${s} (not a file, directory or link)`);
  run.progress.phase(`${ws.name}: database`);
  const dumps = await dumpsDone;
  const databases: ManifestDatabase[] = [];
  const dbReports: WorkspaceReport["databases"] = [];
  for (const [i, d] of pw.databases.entries()) {
    const dump = dumps[i] as DumpResult;
    const size = await archiveDump(run, `${d.endpoint.name}.sql`, dump);
    const s = dump.summary;
    databases.push(manifestDatabase(d, s, run.prep.dumpVersion));
    dbReports.push({
      name: d.endpoint.name,
      tables: s.tables.size,
      rows: [...s.tables.values()].reduce((a, b) => a + b, 0),
      views: s.views.size,
      triggers: s.triggers.size,
      dumpBytes: size,
    });
  }
  const fileStats = {
    count: files.files,
    directories: files.directories,
    symlinks: files.symlinks,
    bytes: files.bytes,
  };
  return {
    manifest: {
      name: ws.name,
      metaEntry: `${ws.name}.meta`,
      filesPrefix: `${ws.name}.files`,
      files: fileStats,
      databases,
    },
    report: {
      name: ws.name,
      databases: dbReports,
      files: fileStats,
      skipped: files.skipped,
      vanished: files.vanished,
      changed: files.changed,
    },
  };
}

/** Dumps every database of the workspace, one after the other, into the stage directory. */
async function dumpDatabases(run: ArchiveRun, pw: PreparedWorkspace): Promise<DumpResult[]> {
  const results: DumpResult[] = [];
  for (const d of pw.databases) {
    results.push(
      await dumpDatabase({
        program: run.prep.dumpProgram,
        endpoint: d.endpoint,
        inventory: d.inventory,
        outFile: path.join(run.stageDir, `${d.endpoint.name}.sql`),
        target: run.target,
        env: run.env,
        signal: run.stop.signal,
        onBytes: (n) => run.progress.addDumpBytes(n),
        onWarning: run.warn,
      }),
    );
  }
  return results;
}

/** The site files under "<ws>.files/", while `dumpsDone` runs. */
async function archiveFiles(
  run: ArchiveRun,
  ws: Workspace,
  dumpsDone: Promise<unknown>,
): Promise<SiteFilesResult> {
  try {
    return await archiveSiteFiles(run.tar, {
      siteDir: ws.siteDir,
      prefix: `${ws.name}.files`,
      skipUnreadable: run.skipUnreadable,
      signal: run.stop.signal,
      onFile: (n) => run.progress.addBytes(n),
      ...(run.openFile ? { open: run.openFile } : {}),
      ...(run.siteFs ? { fs: run.siteFs } : {}),
    });
  } catch (error) {
    // A dump failure is the more useful message when both fail (the files stop on our abort):
    // a typed one always, and any other when the files only stopped because of it.
    run.stop.abort(error);
    const filesStopped = isPmError(error) && error.code === "INTERRUPTED";
    await dumpsDone.catch((e: unknown) => {
      if (isPmError(e) || filesStopped) throw e;
    });
    throw error;
  }
}

/**
 * The staged dump as entry `name` ("<db>.sql"), then removed; returns its size. Read and hashed on
 * a worker thread, like the site files: the main thread only writes.
 */
async function archiveDump(run: ArchiveRun, name: string, dump: DumpResult): Promise<number> {
  const { size } = await runTarJob(
    run.tar,
    { kind: "file", path: dump.file, name, mode: 0o600, ...run.stamp },
    { signal: run.stop.signal },
  );
  await rm(dump.file, { force: true });
  return size;
}
