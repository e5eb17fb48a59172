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
import { read, readSync, type Stats } from "node:fs";
import path from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { promisify } from "node:util";
import { failure, throwIfInterrupted } from "../errors.js";
import type { TarWriter } from "../archive/tar-writer.js";
import { isVanished, realSiteFs, type SiteFs } from "./site-fs.js";

/** Opening a file for reading (tests replace it to simulate EACCES as root). */
export type OpenForRead = (abs: string) => number;

export const openForRead: OpenForRead = (abs) => realSiteFs.open(abs);

/** A file archived as it was read while something wrote to it. */
export interface ChangedFile {
  path: string;
  /** "shrank from 10 to 4 bytes (padded with zeros)", "grew (cut at 10 bytes)", "modified". */
  why: string;
}

export interface SiteFilesResult {
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
  skipped: string[];
  /** Other file types (sockets, FIFOs, devices) that a tar of a web tree has no use for. */
  ignored: string[];
  /** Entries deleted (or replaced) between the walk seeing them and reading them: left out. */
  vanished: string[];
  /** Files that changed while read: archived as read, header and checksum matching the bytes. */
  changed: ChangedFile[];
}

export interface SiteFilesOptions {
  siteDir: string;
  /** "<ws>.files" */
  prefix: string;
  skipUnreadable: boolean;
  signal: AbortSignal;
  open?: OpenForRead;
  /** Replaces some of the file-system calls (tests: vanish or change a file at an exact moment). */
  fs?: Partial<SiteFs>;
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
  | { rel: string; abs: string; st: Stats }
  | { rel: string; abs: string; error: unknown }
  | { rel: string; abs: string; vanished: true };

/** Depth-first, sorted by name; never follows links; entries deleted meanwhile say so. */
function* walkTree(fs: SiteFs, root: string, rel = ""): Generator<Walked> {
  const dirAbs = rel === "" ? root : path.join(root, rel);
  let names: string[];
  try {
    names = fs.readdir(dirAbs).sort();
  } catch (error) {
    // The workspace root itself gone is not churn: that is an error like any other.
    yield rel !== "" && isVanished(error)
      ? { rel, abs: dirAbs, vanished: true }
      : { rel, abs: dirAbs, error };
    return;
  }
  for (const name of names) {
    const childRel = rel === "" ? name : `${rel}/${name}`;
    const abs = path.join(root, childRel);
    let st: Stats;
    try {
      st = fs.lstat(abs);
    } catch (error) {
      yield isVanished(error)
        ? { rel: childRel, abs, vanished: true }
        : { rel: childRel, abs, error };
      continue;
    }
    yield { rel: childRel, abs, st };
    if (st.isDirectory()) yield* walkTree(fs, root, childRel);
  }
}

/** Why a file read from `fd` is not the file lstat saw, or undefined when it is unchanged. */
function changedWhy(
  fs: SiteFs,
  fd: number,
  st: Stats,
  read: { shortBy: number; grew: boolean },
): string | undefined {
  const now = fs.fstat(fd);
  if (read.shortBy > 0)
    return `shrank from ${st.size} to ${st.size - read.shortBy} bytes while read; padded with zeros to ${st.size}`;
  if (read.grew || now.size > st.size)
    return `grew from ${st.size} to ${now.size} bytes while read; cut at ${st.size}`;
  if (now.ino !== st.ino) return "was replaced while read; archived as read";
  if (now.size !== st.size || now.mtimeMs !== st.mtimeMs)
    return "was modified while read; archived as read";
  return undefined;
}

/**
 * Reads exactly the size lstat saw (a file that grew is cut there, one that shrank is padded
 * with zeros), so the header written from that lstat matches the content.
 */
function readSmall(fd: number, size: number): { data: Buffer; shortBy: number; grew: boolean } {
  const data = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, data, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  if (got < size) data.fill(0, got);
  const grew = got === size && readSync(fd, Buffer.alloc(1), 0, 1, size) > 0;
  return { data, shortBy: size - got, grew };
}

const readAsync = promisify(read);

/** The file's content in blocks of 1 MiB, read asynchronously (large files). */
async function* chunksOf(fd: number): AsyncGenerator<Buffer> {
  let position = 0;
  for (;;) {
    const buffer = Buffer.allocUnsafe(1 << 20);
    const { bytesRead } = await readAsync(fd, buffer, 0, buffer.length, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

type Common = { name: string; mode: number; uid: number; gid: number; mtime: number };
type Added = { size: number; changed: string | undefined } | { error: unknown };

async function addFile(
  tar: TarWriter,
  common: Common,
  fs: SiteFs,
  abs: string,
  st: Stats,
): Promise<Added> {
  let fd: number;
  try {
    fd = fs.open(abs);
  } catch (error) {
    return { error };
  }
  let closed = false;
  try {
    if (st.size <= SMALL_FILE) {
      let f: { data: Buffer; shortBy: number; grew: boolean };
      try {
        f = readSmall(fd, st.size);
      } catch (error) {
        return { error };
      }
      const changed = changedWhy(fs, fd, st, f);
      fs.close(fd);
      closed = true;
      await tar.addBuffer(common, f.data);
      return { size: st.size, changed };
    }
    // Read through our own loop rather than a ReadStream: a stream destroyed early closes the
    // descriptor itself, possibly while a read is still in flight; here every read has finished
    // when the loop ends, and the descriptor stays open for the fstat that checks for changes.
    const got = await tar.addStream(common, st.size, chunksOf(fd));
    return { size: st.size, changed: changedWhy(fs, fd, st, got) };
  } finally {
    if (!closed) fs.close(fd);
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
    vanished: [],
    changed: [],
  };
  const fs: SiteFs = { ...realSiteFs, ...(o.open ? { open: o.open } : {}), ...o.fs };
  let n = 0;
  for (const w of walkTree(fs, o.siteDir)) {
    // Let signals and I/O completions in now and then: the walk itself never waits.
    if (++n % 512 === 0) await yieldToLoop();
    throwIfInterrupted(o.signal);
    if ("vanished" in w) {
      r.vanished.push(w.abs);
      continue;
    }
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
      let linkname: string;
      try {
        linkname = fs.readlink(w.abs);
      } catch (error) {
        if (isVanished(error)) r.vanished.push(w.abs);
        else if (!o.skipUnreadable) throw unreadable(w.abs, error);
        else r.skipped.push(w.abs);
        continue;
      }
      await tar.addEmpty({ ...common, type: "symlink", size: 0, linkname });
      r.symlinks += 1;
    } else if (st.isFile()) {
      const done = await addFile(tar, common, fs, w.abs, st);
      if ("error" in done) {
        if (isVanished(done.error)) r.vanished.push(w.abs);
        else if (!o.skipUnreadable) throw unreadable(w.abs, done.error);
        else r.skipped.push(w.abs);
        continue;
      }
      if (done.changed !== undefined) r.changed.push({ path: w.abs, why: done.changed });
      r.files += 1;
      r.bytes += done.size;
      o.onFile?.(done.size);
    } else {
      r.ignored.push(w.abs);
    }
  }
  return r;
}
