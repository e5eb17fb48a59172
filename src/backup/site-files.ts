// Archiving a workspace's sites/<ws> tree under "<ws>.files/": directories (empty ones too), files
// with their mode, mtime and numeric owner, symbolic links stored as links and never followed,
// names as UTF-8. An unreadable file or directory stops the backup naming it, unless the caller
// asked to skip those (ProcessMaker skips them silently; we list them).
//
// Case documents are many small files in deep directories, so the cost is in round trips (readdir,
// lstat, open, read, close), not bytes. The walk therefore runs ahead of the writer: a directory's
// entries are lstat'ed together, and small files are read whole, a bounded number ahead, while
// earlier ones are written. Entries still go into the archive in sorted, depth-first order.
import { constants, type Stats } from "node:fs";
import { lstat, open, readdir, readlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { failure, throwIfInterrupted } from "../errors.js";
import type { TarWriter } from "../archive/tar-writer.js";

/** The one fs call tests may replace: opening a file for reading (to simulate EACCES as root). */
export type OpenForRead = (abs: string) => Promise<FileHandle>;

export const openForRead: OpenForRead = (abs) =>
  open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);

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

/** Files up to this size are read whole (ahead of time); larger ones are streamed when their turn comes. */
const SMALL_FILE = 1 << 20;
/** How far the walk may run ahead of the writer. */
const AHEAD_ENTRIES = 128;
const AHEAD_BYTES = 16 << 20;

const mtimeOf = (s: Stats): number => Math.floor(s.mtimeMs / 1000);

function unreadable(abs: string, error: unknown): Error {
  return failure("BACKUP.UNREADABLE", `Cannot read ${abs}: ${(error as Error).message}`, {
    hint: "Run pmadmin as a user that can read the whole workspace (often root or the web server user), fix the file's permissions, or add --skip-unreadable to leave such files out (they are listed).",
  });
}

type Walked =
  { rel: string; abs: string; st: Stats } | { rel: string; abs: string; error: unknown };

/** Depth-first, sorted by name; lstat of a directory's children in parallel; never follows links. */
async function* walkTree(root: string, rel = ""): AsyncGenerator<Walked> {
  const dirAbs = rel === "" ? root : path.join(root, rel);
  let names: string[];
  try {
    names = (await readdir(dirAbs)).sort();
  } catch (error) {
    yield { rel, abs: dirAbs, error };
    return;
  }
  const stats = await Promise.all(names.map((n) => lstat(path.join(dirAbs, n))));
  for (const [i, name] of names.entries()) {
    const childRel = rel === "" ? name : `${rel}/${name}`;
    const st = stats[i] as Stats;
    yield { rel: childRel, abs: path.join(root, childRel), st };
    if (st.isDirectory()) yield* walkTree(root, childRel);
  }
}

interface SmallFile {
  st: Stats;
  data: Buffer;
  shortBy: number;
}

/**
 * Reads a whole small file: exactly the size lstat saw (a file that grew is cut there, one that
 * shrank is padded with zeros), so the header written from that lstat matches the content.
 */
async function readSmall(openFile: OpenForRead, abs: string, st: Stats): Promise<SmallFile> {
  const fh = await openFile(abs);
  try {
    const data = Buffer.alloc(st.size);
    let got = 0;
    while (got < st.size) {
      const { bytesRead } = await fh.read(data, got, st.size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { st, data, shortBy: st.size - got };
  } finally {
    await fh.close().catch(() => undefined);
  }
}

interface Queued {
  w: Walked;
  small?: Promise<SmallFile>;
  bytes: number;
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
  const walker = walkTree(o.siteDir);
  const queue: Queued[] = [];
  let aheadBytes = 0;
  let walkDone = false;

  const fill = async (): Promise<void> => {
    while (!walkDone && queue.length < AHEAD_ENTRIES && aheadBytes < AHEAD_BYTES) {
      const next = await walker.next();
      if (next.done) {
        walkDone = true;
        return;
      }
      const w = next.value;
      const q: Queued = { w, bytes: 0 };
      if ("st" in w && w.st.isFile() && w.st.size <= SMALL_FILE) {
        q.small = readSmall(openFile, w.abs, w.st);
        q.small.catch(() => undefined); // awaited in order below; never unhandled meanwhile
        q.bytes = w.st.size;
        aheadBytes += q.bytes;
      }
      queue.push(q);
    }
  };

  for (;;) {
    await fill();
    const q = queue.shift();
    if (!q) break;
    aheadBytes -= q.bytes;
    throwIfInterrupted(o.signal);
    const w = q.w;
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
      await tar.addEmpty({ ...common, type: "symlink", size: 0, linkname: await readlink(w.abs) });
      r.symlinks += 1;
    } else if (st.isFile()) {
      const done = q.small
        ? await addSmall(tar, common, q.small)
        : await addLarge(tar, common, openFile, w.abs);
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

type Common = { name: string; mode: number; uid: number; gid: number; mtime: number };
type Added = { size: number; shortBy: number } | { error: unknown };

async function addSmall(
  tar: TarWriter,
  common: Common,
  pending: Promise<SmallFile>,
): Promise<Added> {
  let f: SmallFile;
  try {
    f = await pending;
  } catch (error) {
    return { error };
  }
  await tar.addBuffer(common, f.data);
  return { size: f.st.size, shortBy: f.shortBy };
}

async function addLarge(
  tar: TarWriter,
  common: Common,
  openFile: OpenForRead,
  abs: string,
): Promise<Added> {
  let fh: FileHandle;
  try {
    fh = await openFile(abs);
  } catch (error) {
    return { error };
  }
  try {
    const fst = await fh.stat();
    const source = fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false, start: 0 });
    const { shortBy } = await tar.addStream(
      { ...common, mode: fst.mode & 0o7777, mtime: mtimeOf(fst) },
      fst.size,
      source,
    );
    return { size: fst.size, shortBy };
  } finally {
    await fh.close().catch(() => undefined);
  }
}
