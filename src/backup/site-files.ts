// Archiving a workspace's sites/<ws> tree under "<ws>.files/": directories (empty ones too), files
// with their mode, mtime and numeric owner, symbolic links stored as links and never followed,
// names as UTF-8. An unreadable file or directory stops the backup naming it, unless the caller
// asked to skip those (ProcessMaker skips them silently; we list them).
//
// Case documents are many small files in deep directories, so the cost is in system calls, not
// bytes. Walking and reading are synchronous calls, as GNU tar makes them (a trip through the
// thread pool per call made the walk eight times slower than `tar`), made on a worker thread
// (tar-thread.ts) so they never hold up the main thread, which meanwhile streams the dump and
// writes the archive. The walk itself is site-tar.ts. Entries go in sorted, depth-first order.
// Tests that replace file-system calls (to make a file vanish or change at an exact moment, or to
// simulate EACCES as root) run the same walk on the main thread, since functions cannot be sent
// to a worker.
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { failure, interrupted } from "../errors.js";
import type { TarWriter } from "../archive/tar-writer.js";
import { realSiteFs, type SiteFs } from "./site-fs.js";
import {
  emptyResult,
  Stopped,
  treeBatches,
  UnreadableEntry,
  type SiteFilesResult,
  type TreeJob,
} from "./site-tar.js";
import { runTarJob, TarJobFailure } from "./tar-thread.js";

export type { ChangedFile, SiteFilesResult } from "./site-tar.js";

/** Opening a file for reading (tests replace it to simulate EACCES as root). */
export type OpenForRead = (abs: string) => number;

export const openForRead: OpenForRead = (abs) => realSiteFs.open(abs);

export interface SiteFilesOptions {
  siteDir: string;
  /** "<ws>.files" */
  prefix: string;
  skipUnreadable: boolean;
  signal: AbortSignal;
  /** Replaces opening files (tests); the walk then runs on the main thread. */
  open?: OpenForRead;
  /** Replaces some of the file-system calls (tests); the walk then runs on the main thread. */
  fs?: Partial<SiteFs>;
  /** Content bytes archived (progress), now and then. */
  onFile?: (bytes: number) => void;
}

function unreadable(abs: string, message: string): Error {
  return failure("BACKUP.UNREADABLE", `Cannot read ${abs}: ${message}`, {
    hint: "Run pmadmin as a user that can read the whole workspace (often root or the web server user), fix the file's permissions, or add --skip-unreadable to leave such files out (they are listed).",
  });
}

export async function archiveSiteFiles(
  tar: TarWriter,
  o: SiteFilesOptions,
): Promise<SiteFilesResult> {
  const job: TreeJob = {
    kind: "tree",
    siteDir: o.siteDir,
    prefix: o.prefix,
    skipUnreadable: o.skipUnreadable,
  };
  try {
    if (o.open === undefined && o.fs === undefined) {
      const done = await runTarJob(tar, job, {
        signal: o.signal,
        ...(o.onFile ? { onBatch: o.onFile } : {}),
      });
      return done.result;
    }
    return await archiveInline(tar, job, o);
  } catch (error) {
    if (error instanceof UnreadableEntry) throw unreadable(error.abs, error.message);
    if (error instanceof TarJobFailure && error.unreadable !== undefined)
      throw unreadable(error.unreadable, error.message);
    if (error instanceof Stopped) throw interrupted();
    throw error;
  }
}

/** The same walk on the main thread, with the test's file-system calls. */
async function archiveInline(
  tar: TarWriter,
  job: TreeJob,
  o: SiteFilesOptions,
): Promise<SiteFilesResult> {
  const fs: SiteFs = { ...realSiteFs, ...(o.open ? { open: o.open } : {}), ...o.fs };
  const r = emptyResult();
  for (const b of treeBatches(fs, job, r, () => o.signal.aborted)) {
    await tar.addRaw(b.data, b.entries);
    o.onFile?.(b.fileBytes);
    // Let signals and I/O completions in now and then: the walk itself never waits.
    await yieldToLoop();
  }
  return r;
}
