// Carrying out a backup plan. Every precondition (workspaces readable, databases reachable as the
// workspace user, dump program present, target directory writable, workspace locks) is checked
// before the first byte is written. Then per workspace: the meta, the site files (while the dump
// runs in parallel into a private temp dir beside the target), the dump; finally the manifest.
// The archive is written under a temporary name and renamed only when complete and fsynced.
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { access, constants, mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import path from "node:path";
import { encodeMeta } from "../archive/meta.js";
import { ManifestEntryLog } from "../archive/manifest-log.js";
import {
  MANIFEST_NAME,
  MANIFEST_VERSION,
  MANIFEST_FORMAT,
  type Manifest,
  type ManifestDatabase,
  type ManifestWorkspace,
} from "../archive/manifest.js";
import { openArchiveSink, type WrittenFile } from "../archive/sink.js";
import { TarWriter } from "../archive/tar-writer.js";
import { failure, interrupted, isPmError, throwIfInterrupted, usage } from "../errors.js";
import { findProgram } from "../exec/clients.js";
import { workspaceDatabases, type DbEndpoint } from "../install/db-php.js";
import type { Installation, Workspace } from "../install/installation.js";
import { acquireWorkspaceLocks } from "../lock/workspace-lock.js";
import type { Runtime } from "../runtime.js";
import { pmadminVersion } from "../version.js";
import { dumpDatabase, dumpProgramVersion, DUMP_CHARSET, type DumpResult } from "./dump.js";
import { inspectDatabase, type DatabaseInventory } from "./inspect.js";
import { buildWorkspaceMeta, gatherHostFacts, type HostFacts } from "./meta-values.js";
import type { BackupPlan } from "./plan.js";
import type { Progress } from "./progress.js";
import { applyRetention } from "./retention.js";
import { archiveWriteFailure } from "./write-failure.js";
import { archiveSiteFiles, type OpenForRead, type SiteFilesResult } from "./site-files.js";
import type { SiteFs } from "./site-fs.js";

export interface PreparedDatabase {
  role: "wf" | "rp" | "rb";
  endpoint: DbEndpoint;
  inventory: DatabaseInventory;
}

export interface PreparedWorkspace {
  ws: Workspace;
  databases: PreparedDatabase[];
}

export interface Prepared {
  workspaces: PreparedWorkspace[];
  dumpProgram: string;
  dumpVersion: string;
  facts: HostFacts;
}

export interface BackupDeps {
  rt: Runtime;
  inst: Installation;
  progress: Progress;
  warn(text: string): void;
  /** Tests replace it to simulate an unreadable file when running as root. */
  openFile?: OpenForRead;
  /** Tests replace some file-system calls to make a file vanish or change at an exact moment. */
  siteFs?: Partial<SiteFs>;
}

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

/** Everything that can be checked without writing: databases reachable, tables listed, programs found. */
export async function prepareBackup(
  workspaces: Workspace[],
  deps: Pick<BackupDeps, "rt" | "inst">,
): Promise<Prepared> {
  const prepared: PreparedWorkspace[] = [];
  for (const ws of workspaces) {
    const databases: PreparedDatabase[] = [];
    for (const d of workspaceDatabases(ws.db)) {
      databases.push({
        role: d.role,
        endpoint: d.endpoint,
        inventory: await inspectDatabase(d.endpoint, deps.rt.env),
      });
    }
    prepared.push({ ws, databases });
  }
  const dumpProgram = await findProgram("dump", deps.rt.env);
  const [dumpVersion, facts] = await Promise.all([
    dumpProgramVersion(dumpProgram),
    gatherHostFacts({
      installDir: deps.inst.installDir,
      platform: deps.rt.platform,
      env: deps.rt.env,
    }),
  ]);
  return { workspaces: prepared, dumpProgram, dumpVersion, facts };
}

async function ensureTargetDir(plan: BackupPlan, prep: Prepared): Promise<void> {
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
    if (plan.target.inSharedBackups) await mkdir(dir, { recursive: true, mode: 0o700 });
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

const nowSeconds = (rt: Runtime): number => Math.floor(rt.now().getTime() / 1000);

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
  const sink = openArchiveSink({
    finalPath: plan.target.path,
    gzip: plan.target.gzip,
    partBytes: plan.target.partBytes,
  });
  // Aborting destroys the archive stream, so a write waiting for 'drain' fails at once.
  const onAbort = (): void => void sink.input.destroy(new Error("interrupted"));
  let stageDir: string | undefined;
  const pendingDumps: Array<Promise<unknown>> = [];
  try {
    stageDir = await mkdtemp(
      path.join(plan.target.dir, `.pmadmin-dump-${randomBytes(3).toString("hex")}-`),
    );
    // Entry records go to a spool file, not memory: a workspace may have millions of files.
    const entryLog = new ManifestEntryLog(path.join(stageDir, "manifest-entries.json"));
    const tar = new TarWriter(sink.input, entryLog.record);
    stop.signal.addEventListener("abort", onAbort, { once: true });
    const mtime = nowSeconds(rt);
    const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    const manifestWs: ManifestWorkspace[] = [];
    const reports: WorkspaceReport[] = [];
    // Every workspace's meta first: the leading .meta entries then name the archive's whole
    // workspace set, which --keep reads from the first few KiB (retention.ts).
    for (const { ws, databases } of prep.workspaces) {
      deps.progress.phase(`${ws.name}: meta`);
      const meta = buildWorkspaceMeta(prep.facts, ws, databases[0]?.inventory.server.version);
      await tar.addBuffer(
        { name: `${ws.name}.meta`, mode: 0o600, ...owner, mtime },
        Buffer.from(encodeMeta(meta), "utf8"),
      );
    }
    for (const pw of prep.workspaces) {
      const { ws } = pw;
      // Dump every database of the workspace (one after the other) while the files are archived.
      const dumpsDone = (async (): Promise<DumpResult[]> => {
        const results: DumpResult[] = [];
        for (const d of pw.databases) {
          results.push(
            await dumpDatabase({
              program: prep.dumpProgram,
              endpoint: d.endpoint,
              inventory: d.inventory,
              outFile: path.join(stageDir, `${d.endpoint.name}.sql`),
              target: plan.target.path,
              env: rt.env,
              signal: stop.signal,
              onBytes: (n) => deps.progress.addDumpBytes(n),
              onWarning: warn,
            }),
          );
        }
        return results;
      })();
      // A failed dump stops the file archiving too: no point in finishing an archive we will drop.
      pendingDumps.push(dumpsDone.catch((e: unknown) => stop.abort(e)));
      deps.progress.phase(`${ws.name}: files`);
      let files: SiteFilesResult;
      try {
        files = await archiveSiteFiles(tar, {
          siteDir: ws.siteDir,
          prefix: `${ws.name}.files`,
          skipUnreadable: plan.skipUnreadable,
          signal: stop.signal,
          onFile: (n) => deps.progress.addBytes(n),
          ...(deps.openFile ? { open: deps.openFile } : {}),
          ...(deps.siteFs ? { fs: deps.siteFs } : {}),
        });
      } catch (error) {
        // A dump failure is the more useful message when both fail (the files stop on our abort):
        // a typed one always, and any other when the files only stopped because of it.
        stop.abort(error);
        const filesStopped = isPmError(error) && error.code === "INTERRUPTED";
        await dumpsDone.catch((e: unknown) => {
          if (isPmError(e) || filesStopped) throw e;
        });
        throw error;
      }
      for (const s of files.skipped) warn(`skipped unreadable ${s}`);
      // A live installation creates and deletes cache files all the time: not worth failing for.
      for (const s of files.vanished) warn(`${s} vanished while the backup ran; left out`);
      for (const c of files.changed) warn(`${c.path} ${c.why}`);
      for (const s of files.ignored) warn(`left out ${s} (not a file, directory or link)`);
      deps.progress.phase(`${ws.name}: database`);
      const dumps = await dumpsDone;
      const dbs: ManifestDatabase[] = [];
      const dbReports: WorkspaceReport["databases"] = [];
      for (const [i, d] of pw.databases.entries()) {
        const dump = dumps[i] as DumpResult;
        const size = (await stat(dump.file)).size;
        await tar.addStream(
          { name: `${d.endpoint.name}.sql`, mode: 0o600, ...owner, mtime },
          size,
          createReadStream(dump.file, { highWaterMark: 1 << 20 }),
        );
        await rm(dump.file, { force: true });
        const s = dump.summary;
        const tables = Object.fromEntries([...s.tables].sort(([a], [b]) => (a < b ? -1 : 1)));
        dbs.push({
          role: d.role,
          name: d.endpoint.name,
          sqlEntry: `${d.endpoint.name}.sql`,
          server: {
            flavor: d.inventory.server.flavor,
            version: d.inventory.server.version,
            lowerCaseTableNames: d.inventory.server.lowerCaseTableNames,
          },
          dumpCharset: s.charset ?? DUMP_CHARSET,
          defaultCharset: d.inventory.defaultCharset,
          defaultCollation: d.inventory.defaultCollation,
          dumpProgram: prep.dumpVersion,
          tables,
          views: [...s.views].sort(),
          triggers: [...s.triggers].sort(),
          routines: [...s.routines].sort(),
          events: [...s.events].sort(),
        });
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
      manifestWs.push({
        name: ws.name,
        metaEntry: `${ws.name}.meta`,
        filesPrefix: `${ws.name}.files`,
        files: fileStats,
        databases: dbs,
      });
      reports.push({
        name: ws.name,
        databases: dbReports,
        files: fileStats,
        skipped: files.skipped,
        vanished: files.vanished,
        changed: files.changed,
      });
    }
    const first = manifestWs[0]?.databases[0]?.server;
    const manifest: Omit<Manifest, "entries"> = {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_VERSION,
      pmadminVersion: pmadminVersion(),
      createdAt: rt.now().toISOString(),
      platform: rt.platform,
      os: prep.facts.system,
      server: first ?? { flavor: "", version: "", lowerCaseTableNames: 0 },
      workspaces: manifestWs,
    };
    deps.progress.phase("finishing");
    const m = await entryLog.manifest(manifest);
    await tar.addStream({ name: MANIFEST_NAME, mode: 0o600, ...owner, mtime }, m.size, m.stream);
    await tar.finish();
    const out = await sink.done();
    if (rt.signal.aborted) throw interrupted();
    locks.assertHeld();
    await sink.commit();
    const removed: string[] = [];
    if (plan.keep !== undefined) {
      removed.push(
        ...(await applyRetention({
          dir: plan.target.dir,
          target: plan.target.path,
          workspaces: prep.workspaces.map((pw) => pw.ws.name),
          keep: plan.keep,
          newFiles: out.files.map((f) => f.path),
        })),
      );
    }
    const allDbs = reports.flatMap((r) => r.databases);
    return {
      ...out,
      workspaces: reports,
      tables: allDbs.reduce((a, d) => a + d.tables, 0),
      rows: allDbs.reduce((a, d) => a + d.rows, 0),
      fileCount: reports.reduce((a, r) => a + r.files.count, 0),
      durationMs: Date.now() - started,
      removed,
      warnings,
    };
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
