// Archiving a workspace's sites/<ws> tree under "<ws>.files/": directories (empty ones too), files
// with their mode, mtime and numeric owner, symbolic links stored as links and never followed,
// names as UTF-8. An unreadable file or directory stops the backup naming it, unless the caller
// asked to skip those (ProcessMaker skips them silently; we list them).
//
// Case documents are many small files in deep directories, so the cost is in system calls, not
// bytes. Walking and reading small files is done with synchronous calls, as GNU tar does: from
// the page cache each takes microseconds, while a trip through the thread pool per call made the
// walk eight times slower than `tar`. Compression runs on other threads meanwhile; large files are
// streamed asynchronously. Entries go into the archive in sorted, depth-first order.
import {
  closeSync,
  constants,
  createReadStream,
  lstatSync,
  openSync,
  readSync,
  readdirSync,
  readlinkSync,
  type Stats,
} from "node:fs";
import path from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { failure, throwIfInterrupted } from "../errors.js";
import type { TarWriter } from "../archive/tar-writer.js";

/** The one fs call tests may replace: opening a file for reading (to simulate EACCES as root). */
export type OpenForRead = (abs: string) => number;

export const openForRead: OpenForRead = (abs) =>
  openSync(abs, constants.O_RDONLY | constants.O_NOFOLLOW);

export interface SiteFilesResult {
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
  skipped: string[];
  /** Other file types (sockets, FIFOs, devices) that a tar of a web tree has no use for. */
  ignored: string[];
  /** Files that shrank while being read (padded with zeros to their stat size). */
  changed: string[];
}

export interface SiteFilesOptions {
  siteDir: string;
  /** "<ws>.files" */
  prefix: string;
  skipUnreadable: boolean;
  signal: AbortSignal;
  open?: OpenForRead;
  onFile?: (bytes: number) => void;
}

/** Files up to this size are read whole; larger ones are streamed. */
const SMALL_FILE = 1 << 20;

const mtimeOf = (s: Stats): number => Math.floor(s.mtimeMs / 1000);

function unreadable(abs: string, error: unknown): Error {
  return failure("BACKUP.UNREADABLE", `Cannot read ${abs}: ${(error as Error).message}`, {
    hint: "Run pmadmin as a user that can read the whole workspace (often root or the web server user), fix the file's permissions, or add --skip-unreadable to leave such files out (they are listed).",
  });
}

type Walked =
  { rel: string; abs: string; st: Stats } | { rel: string; abs: string; error: unknown };

/** Depth-first, sorted by name; never follows links. */
function* walkTree(root: string, rel = ""): Generator<Walked> {
  const dirAbs = rel === "" ? root : path.join(root, rel);
  let names: string[];
  try {
    names = readdirSync(dirAbs).sort();
  } catch (error) {
    yield { rel, abs: dirAbs, error };
    return;
  }
  for (const name of names) {
    const childRel = rel === "" ? name : `${rel}/${name}`;
    const abs = path.join(root, childRel);
    const st = lstatSync(abs);
    yield { rel: childRel, abs, st };
    if (st.isDirectory()) yield* walkTree(root, childRel);
  }
}

/**
 * Reads exactly the size lstat saw (a file that grew is cut there, one that shrank is padded
 * with zeros), so the header written from that lstat matches the content.
 */
function readSmall(
  openFile: OpenForRead,
  abs: string,
  size: number,
): { data: Buffer; shortBy: number } {
  const fd = openFile(abs);
  try {
    const data = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, data, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    if (got < size) data.fill(0, got);
    return { data, shortBy: size - got };
  } finally {
    closeSync(fd);
  }
}

type Common = { name: string; mode: number; uid: number; gid: number; mtime: number };
type Added = { size: number; shortBy: number } | { error: unknown };

async function addFile(
  tar: TarWriter,
  common: Common,
  openFile: OpenForRead,
  abs: string,
  size: number,
): Promise<Added> {
  if (size <= SMALL_FILE) {
    let f: { data: Buffer; shortBy: number };
    try {
      f = readSmall(openFile, abs, size);
    } catch (error) {
      return { error };
    }
    await tar.addBuffer(common, f.data);
    return { size, shortBy: f.shortBy };
  }
  let fd: number;
  try {
    fd = openFile(abs);
  } catch (error) {
    return { error };
  }
  const source = createReadStream(abs, { fd, highWaterMark: 1 << 20, start: 0, autoClose: true });
  try {
    const { shortBy } = await tar.addStream(common, size, source);
    return { size, shortBy };
  } finally {
    source.destroy();
  }
}

export async function archiveSiteFiles(
  tar: TarWriter,
  o: SiteFilesOptions,
): Promise<SiteFilesResult> {
  const r: SiteFilesResult = {
    files: 0,
    directories: 0,
    symlinks: 0,
    bytes: 0,
    skipped: [],
    ignored: [],
    changed: [],
  };
  const openFile = o.open ?? openForRead;
  let n = 0;
  for (const w of walkTree(o.siteDir)) {
    // Let signals and I/O completions in now and then: the walk itself never waits.
    if (++n % 512 === 0) await yieldToLoop();
    throwIfInterrupted(o.signal);
    if ("error" in w) {
      if (!o.skipUnreadable) throw unreadable(w.abs, w.error);
      r.skipped.push(w.abs);
      continue;
    }
    const st = w.st;
    const common = {
      name: `${o.prefix}/${w.rel}`,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtime: mtimeOf(st),
    };
    if (st.isDirectory()) {
      await tar.addEmpty({ ...common, type: "directory", size: 0 });
      r.directories += 1;
    } else if (st.isSymbolicLink()) {
      await tar.addEmpty({ ...common, type: "symlink", size: 0, linkname: readlinkSync(w.abs) });
      r.symlinks += 1;
    } else if (st.isFile()) {
      const done = await addFile(tar, common, openFile, w.abs, st.size);
      if ("error" in done) {
        if (!o.skipUnreadable) throw unreadable(w.abs, done.error);
        r.skipped.push(w.abs);
        continue;
      }
      if (done.shortBy > 0) r.changed.push(w.abs);
      r.files += 1;
      r.bytes += done.size;
      o.onFile?.(done.size);
    } else {
      r.ignored.push(w.abs);
    }
  }
  return r;
}
