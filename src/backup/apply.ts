// Carrying out a backup plan: the lifecycle around the archive. Every precondition (workspaces
// readable, databases reachable as the workspace user, dump program present: prepare.ts; target
// directory writable, workspace locks: here) is checked before the first byte is written. The
// archive (archive-workspace.ts) goes into a sink under a temporary name, committed only when
// complete and fsynced; then --keep's retention.
import { randomBytes } from "node:crypto";
import { access, constants, mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { S3Store } from "../archive/s3/client.js";
import { prefixOf } from "../archive/s3/location.js";
import { s3Place, type BackupPlace } from "./backup-place.js";
import { MANIFEST_NAME, type ManifestWorkspace } from "../archive/manifest.js";
import { ManifestEntryLog } from "../archive/manifest-log.js";
import {
  openArchiveSink,
  type ArchiveSink,
  type SinkOptions,
  type WrittenFile,
} from "../archive/sink.js";
import { TarWriter } from "../archive/tar-writer.js";
import { failure, interrupted, throwIfInterrupted, usage } from "../errors.js";
import type { Installation } from "../install/installation.js";
import { acquireWorkspaceLocks } from "../lock/workspace-lock.js";
import type { Runtime } from "../runtime.js";
import { pmadminVersion } from "../version.js";
import {
  archiveMetas,
  archiveWorkspace,
  type ArchiveRun,
  type WorkspaceReport,
} from "./archive-workspace.js";
import { manifestHead } from "./manifest-values.js";
import type { BackupPlan } from "./plan.js";
import type { Prepared } from "./prepare.js";
import type { Progress } from "./progress.js";
import { applyRetention } from "./retention.js";
import { archiveWriteFailure } from "./write-failure.js";
import type { OpenForRead } from "./site-files.js";
import type { SiteFs } from "./site-fs.js";

export interface BackupDeps {
  rt: Runtime;
  inst: Installation;
  progress: Progress;
  warn(text: string): void;
  /** Tests replace it to simulate an unreadable file when running as root. */
  openFile?: OpenForRead;
  /** Tests replace some file-system calls to make a file vanish or change at an exact moment. */
  siteFs?: Partial<SiteFs>;
  /** The object store, when the target is s3://… */
  s3?: S3Store | undefined;
}

export interface BackupResult {
  files: WrittenFile[];
  bytes: number;
  sha256: string;
  workspaces: WorkspaceReport[];
  tables: number;
  rows: number;
  fileCount: number;
  durationMs: number;
  removed: string[];
  /** Every warning shown on stderr, in order (the --json summary carries them). */
  warnings: string[];
}

async function ensureTargetDir(plan: BackupPlan, prep: Prepared): Promise<void> {
  // An object store: the upload starts (and fails on a missing bucket or bad keys) before any data.
  if (plan.target.s3) return;
  const dir = plan.target.dir;
  // An archive inside the tree it archives would swallow its own temporary file.
  for (const { ws } of prep.workspaces) {
    const rel = path.relative(ws.siteDir, dir);
    if (rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel))) {
      throw usage(
        "BACKUP.TARGET_INSIDE_WORKSPACE",
        `The backup file ${plan.target.path} would be inside workspace ${ws.name}'s own directory.`,
        {
          hint: "Write the backup elsewhere, e.g. give a bare file name to use <shared>/backups/.",
        },
      );
    }
  }
  const existing = await stat(plan.target.path).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw usage("BACKUP.TARGET_IS_DIRECTORY", `${plan.target.path} is a directory.`, {
      hint: "Give the backup a file name ending in .tar, .tar.gz or .tgz.",
    });
  }
  try {
    // <shared>/backups is made with its parents; any other directory, like ProcessMaker's
    // WorkspaceTools::createBackup, one level only (a missing parent is a mistyped path).
    if (plan.target.inSharedBackups) await mkdir(dir, { recursive: true, mode: 0o700 });
    else await mkdirOneLevel(dir);
    const st = await stat(dir);
    if (!st.isDirectory()) throw new Error("not a directory");
    await access(dir, constants.W_OK);
  } catch (error) {
    throw failure(
      "BACKUP.TARGET_DIR",
      `Cannot write backups into ${dir}: ${(error as Error).message}.`,
      {
        hint: "Create the directory, or name a backup file in a directory you can write to.",
      },
    );
  }
}

async function mkdirOneLevel(dir: string): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as { code?: unknown }).code === "EEXIST") return;
    if ((error as { code?: unknown }).code === "ENOENT")
      throw new Error(`neither it nor its parent ${path.dirname(dir)} exists`);
    throw error;
  }
}

const nowSeconds = (rt: Runtime): number => Math.floor(rt.now().getTime() / 1000);

/** Writes the whole archive through `run.tar` (metas, workspaces, manifest last) and ends it. */
async function writeArchive(
  run: ArchiveRun,
  entryLog: ManifestEntryLog,
  rt: Runtime,
): Promise<WorkspaceReport[]> {
  await archiveMetas(run);
  const workspaces: ManifestWorkspace[] = [];
  const reports: WorkspaceReport[] = [];
  for (const pw of run.prep.workspaces) {
    const { manifest, report } = await archiveWorkspace(run, pw);
    workspaces.push(manifest);
    reports.push(report);
  }
  const head = manifestHead({
    pmadminVersion: pmadminVersion(),
    createdAt: rt.now(),
    platform: rt.platform,
    os: run.prep.facts.system,
    workspaces,
  });
  run.progress.phase("finishing");
  const m = await entryLog.manifest(head);
  await run.tar.addStream({ name: MANIFEST_NAME, mode: 0o600, ...run.stamp }, m.size, m.stream);
  await run.tar.finish();
  return reports;
}

function archiveRun(
  plan: BackupPlan,
  prep: Prepared,
  deps: BackupDeps,
  o: Pick<ArchiveRun, "tar" | "stageDir" | "stop" | "pendingDumps" | "warn">,
): ArchiveRun {
  return {
    ...o,
    prep,
    target: plan.target.path,
    skipUnreadable: plan.skipUnreadable,
    env: deps.rt.env,
    progress: deps.progress,
    openFile: deps.openFile,
    siteFs: deps.siteFs,
    stamp: {
      uid: process.getuid?.() ?? 0,
      gid: process.getgid?.() ?? 0,
      mtime: nowSeconds(deps.rt),
    },
  };
}

/** --keep: the older backups of the new one's family beyond the newest `keep` go. */
async function retain(
  plan: BackupPlan,
  prep: Prepared,
  deps: BackupDeps,
  files: WrittenFile[],
): Promise<string[]> {
  if (plan.keep === undefined) return [];
  return applyRetention({
    place: retentionPlace(plan, deps.s3),
    dir: plan.target.dir,
    target: plan.target.path,
    workspaces: prep.workspaces.map((pw) => pw.ws.name),
    keep: plan.keep,
    newFiles: files.map((f) => f.path),
  });
}

/** Where --keep looks: the backup's directory, or its s3:// prefix. */
export function retentionPlace(plan: BackupPlan, s3: S3Store | undefined): BackupPlace | undefined {
  const loc = plan.target.s3;
  if (!loc) return undefined;
  if (!s3) throw new Error("an s3:// target needs an S3 store");
  return s3Place(s3, { bucket: loc.bucket, key: prefixOf(loc.key), isPrefix: true });
}

/** The upload's destination and the metadata that says what it holds (backups list reads it). */
function s3Destination(
  plan: BackupPlan,
  prep: Prepared,
  deps: BackupDeps,
  warn: (text: string) => void,
): SinkOptions["s3"] {
  const loc = plan.target.s3;
  if (!loc) return undefined;
  if (!deps.s3) throw new Error("an s3:// target needs an S3 store");
  return {
    store: deps.s3,
    bucket: loc.bucket,
    key: loc.key,
    metadata: {
      "pmadmin-version": pmadminVersion(),
      "pmadmin-workspaces": prep.workspaces.map((pw) => pw.ws.name).join(","),
      "pmadmin-created": deps.rt.now().toISOString(),
      "pmadmin-compression": plan.target.gzip ? "gzip" : "none",
    },
    warn,
  };
}

function summary(
  reports: WorkspaceReport[],
): Pick<BackupResult, "workspaces" | "tables" | "rows" | "fileCount"> {
  const allDbs = reports.flatMap((r) => r.databases);
  return {
    workspaces: reports,
    tables: allDbs.reduce((a, d) => a + d.tables, 0),
    rows: allDbs.reduce((a, d) => a + d.rows, 0),
    fileCount: reports.reduce((a, r) => a + r.files.count, 0),
  };
}

export async function applyBackup(
  plan: BackupPlan,
  prep: Prepared,
  deps: BackupDeps,
): Promise<BackupResult> {
  const started = Date.now();
  const { rt } = deps;
  const warnings: string[] = [];
  const warn = (text: string): void => {
    warnings.push(text);
    deps.warn(text);
  };
  // A signal during the preparation (after its last query) is not seen by the listener below.
  throwIfInterrupted(rt.signal);
  await ensureTargetDir(plan, prep);
  const locks = await acquireWorkspaceLocks({
    sharedDir: deps.inst.sharedDir,
    workspaces: plan.workspaces,
    operation: "backup",
  });
  // Our own abort: fired by SIGINT/SIGTERM or by a failure, it stops the dump children at once.
  const stop = new AbortController();
  const onSignal = (): void => stop.abort(rt.signal.reason);
  rt.signal.addEventListener("abort", onSignal, { once: true });
  // One that came while the lock was being taken: 'abort' has fired already, so act on it here.
  if (rt.signal.aborted) onSignal();
  const sink: ArchiveSink = openArchiveSink({
    finalPath: plan.target.path,
    gzip: plan.target.gzip,
    partBytes: plan.target.partBytes,
    s3: s3Destination(plan, prep, deps, warn),
  });
  // Aborting destroys the archive stream, so a write waiting for 'drain' fails at once.
  const onAbort = (): void => void sink.input.destroy(new Error("interrupted"));
  let stageDir: string | undefined;
  const pendingDumps: Array<Promise<unknown>> = [];
  try {
    // Dumps are staged beside a local backup; for an object store, in the temporary directory.
    const stageParent = plan.target.s3 ? tmpdir() : plan.target.dir;
    stageDir = await mkdtemp(
      path.join(stageParent, `.pmadmin-dump-${randomBytes(3).toString("hex")}-`),
    );
    // Entry records go to a spool file, not memory: a workspace may have millions of files.
    const entryLog = new ManifestEntryLog(path.join(stageDir, "manifest-entries.json"));
    const tar = new TarWriter(sink.input, entryLog.record);
    stop.signal.addEventListener("abort", onAbort, { once: true });
    const run = archiveRun(plan, prep, deps, { tar, stageDir, stop, pendingDumps, warn });
    const reports = await writeArchive(run, entryLog, rt);
    const out = await sink.done();
    if (rt.signal.aborted) throw interrupted();
    locks.assertHeld();
    await sink.commit();
    const removed = await retain(plan, prep, deps, out.files);
    return { ...out, ...summary(reports), durationMs: Date.now() - started, removed, warnings };
  } catch (error) {
    stop.abort(error);
    await sink.discard();
    if (rt.signal.aborted) throw interrupted();
    throw archiveWriteFailure(plan.target.path, sink.writeError, error);
  } finally {
    rt.signal.removeEventListener("abort", onSignal);
    stop.signal.removeEventListener("abort", onAbort);
    stop.abort(new Error("backup finished"));
    await Promise.allSettled(pendingDumps);
    if (stageDir) await rm(stageDir, { recursive: true, force: true });
    await locks.release();
    deps.progress.done();
  }
}
