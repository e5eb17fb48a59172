// The synchronous core of archiving site files: walks a tree (or takes one file), reads every file
// straight into a block of tar bytes (header, content, padding) while hashing it, and hands out
// full blocks with the manifest records of the entries they complete. It makes no promise and no
// trip through the thread pool: backup runs it on a worker thread (tar-thread.ts), so the main
// thread stays free for the dump while this thread makes the system calls GNU tar would make;
// tests that replace file-system calls run it inline (site-files.ts).
//
// Small files (up to SMALL_FILE) are read whole before their entry counts, so an unreadable or
// vanished one leaves nothing behind in the block; larger ones are read block by block.
import { createHash, type Hash } from "node:crypto";
import { readSync, type Stats } from "node:fs";
import path from "node:path";
import type { ManifestEntry } from "../archive/manifest.js";
import { BLOCK, encodeHeader, type TarHeaderFields } from "../archive/tar-header.js";
import { isVanished, type SiteFs } from "./site-fs.js";

/** Files up to this size are read whole; larger ones in blocks. */
export const SMALL_FILE = 1 << 20;
/** A block is handed out once it holds this much; its buffer holds a whole small entry more. */
const BATCH = 1 << 20;
const CAPACITY = BATCH + SMALL_FILE + 64 * 1024;

/** A run of whole tar blocks and the manifest records of the entries that end in it. */
export interface TarBatch {
  data: Buffer;
  entries: ManifestEntry[];
  /** Content bytes of the files completed in this batch (progress). */
  fileBytes: number;
}

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

export const emptyResult = (): SiteFilesResult => ({
  files: 0,
  directories: 0,
  symlinks: 0,
  bytes: 0,
  skipped: [],
  ignored: [],
  vanished: [],
  changed: [],
});

/** Thrown for an entry that cannot be read when unreadable entries are not skipped. */
export class UnreadableEntry extends Error {
  constructor(
    readonly abs: string,
    cause: unknown,
  ) {
    super((cause as Error).message);
  }
}

/** Thrown when `stopped()` says the backup was interrupted. */
export class Stopped extends Error {}

export interface TreeJob {
  kind: "tree";
  siteDir: string;
  /** "<ws>.files" */
  prefix: string;
  skipUnreadable: boolean;
}

/** One file (a staged dump) as entry `name`, with pmadmin's own owner, mode and time. */
export interface FileJob {
  kind: "file";
  path: string;
  name: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
}

export type TarJob = TreeJob | FileJob;

/** Collects tar bytes in one buffer; `take()` hands it out and starts a new one. */
class BatchBuilder {
  private buf = Buffer.allocUnsafeSlow(CAPACITY);
  private off = 0;
  private entries: ManifestEntry[] = [];
  private fileBytes = 0;

  get full(): boolean {
    return this.off >= BATCH;
  }
  get empty(): boolean {
    return this.off === 0 && this.entries.length === 0;
  }
  /** Whether `n` more bytes fit without handing out the batch first. */
  fits(n: number): boolean {
    return this.off + n <= CAPACITY;
  }
  put(b: Buffer): void {
    b.copy(this.buf, this.off);
    this.off += b.length;
  }
  /** Room for up to `n` bytes of content at the current end (at least one byte). */
  window(n: number): Buffer {
    return this.buf.subarray(this.off, this.off + Math.min(n, CAPACITY - this.off));
  }
  advance(n: number): void {
    this.off += n;
  }
  zeros(n: number): void {
    this.buf.fill(0, this.off, this.off + n);
    this.off += n;
  }
  /** Where the current end is, to go back to it when an entry is left out. */
  mark(): number {
    return this.off;
  }
  rewind(to: number): void {
    this.off = to;
  }
  done(e: ManifestEntry, fileBytes: number): void {
    this.entries.push(e);
    this.fileBytes += fileBytes;
  }
  take(): TarBatch {
    const out = {
      data: this.buf.subarray(0, this.off),
      entries: this.entries,
      fileBytes: this.fileBytes,
    };
    this.buf = Buffer.allocUnsafeSlow(CAPACITY);
    this.off = 0;
    this.entries = [];
    this.fileBytes = 0;
    return out;
  }
}

const padLen = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;
const EMPTY_SHA256 = createHash("sha256").digest("hex");

function record(f: Omit<TarHeaderFields, "size">, size: number, sha256: string): ManifestEntry {
  const e: ManifestEntry = { name: f.name, type: f.type, size, sha256, mode: f.mode & 0o7777 };
  if (f.type === "symlink" && f.linkname !== undefined) e.linkname = f.linkname;
  return e;
}

type Walked =
  | { rel: string; abs: string; st: Stats }
  | { rel: string; abs: string; error: unknown }
  | { rel: string; abs: string; vanished: true };

/**
 * `rel` under `root` as path.join would give it (root normalized once by the caller, names from
 * readdir never "." or ".."), without normalizing the whole path again for every entry.
 */
const under = (root: string, rel: string): string =>
  root.endsWith("/") ? `${root}${rel}` : `${root}/${rel}`;

/** Depth-first, sorted by name; never follows links; entries deleted meanwhile say so. */
function* walkTree(fs: SiteFs, root: string, rel = ""): Generator<Walked> {
  const dirAbs = rel === "" ? root : under(root, rel);
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
    const abs = under(root, childRel);
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

/**
 * Why a file read from `fd` is not the file lstat saw, or undefined when it is unchanged. Growth
 * shows in fstat's size (as GNU tar sees it): no read past the end is needed for that.
 */
function changedWhy(
  fs: SiteFs,
  fd: number,
  st: Stats,
  read: { shortBy: number },
): string | undefined {
  const now = fs.fstat(fd);
  if (read.shortBy > 0)
    return `shrank from ${st.size} to ${st.size - read.shortBy} bytes while read; padded with zeros to ${st.size}`;
  if (now.size > st.size)
    return `grew from ${st.size} to ${now.size} bytes while read; cut at ${st.size}`;
  if (now.ino !== st.ino) return "was replaced while read; archived as read";
  if (now.size !== st.size || now.mtimeMs !== st.mtimeMs)
    return "was modified while read; archived as read";
  return undefined;
}

/**
 * A large file: exactly `size` bytes of `fd` read straight into the batch, block by block, and
 * hashed on the way (a file that grew is cut there, one that shrank is padded with zeros), full
 * batches handed out meanwhile; then the padding to a whole block. A read error ends the backup
 * (the entry's header is out already).
 */
function* readLarge(
  b: BatchBuilder,
  fd: number,
  size: number,
  hash: Hash,
): Generator<TarBatch, { shortBy: number }> {
  let got = 0;
  let real = 0;
  while (got < size) {
    if (b.full) yield b.take();
    const w = b.window(size - got);
    const n = real < got ? 0 : readSync(fd, w, 0, w.length, got);
    if (n === 0) w.fill(0);
    const part = n === 0 ? w : w.subarray(0, n);
    hash.update(part);
    b.advance(part.length);
    got += part.length;
    real += n;
  }
  if (b.full) yield b.take();
  b.zeros(padLen(size));
  return { shortBy: size - real };
}

type Common = { name: string; mode: number; uid: number; gid: number; mtime: number };
type Added = { size: number; changed: string | undefined } | { error: unknown };

/** One regular file: header, content and padding into the batch. */
function* addFile(
  b: BatchBuilder,
  fs: SiteFs,
  common: Common,
  abs: string,
  st: Stats,
): Generator<TarBatch, Added> {
  let fd: number;
  try {
    fd = fs.open(abs);
  } catch (error) {
    return { error };
  }
  try {
    const header = encodeHeader({ ...common, type: "file", size: st.size });
    const small = st.size <= SMALL_FILE;
    // A small entry goes into one batch whole, so leaving it out is a step back in that batch.
    if (!b.fits(small ? header.length + st.size + BLOCK : header.length)) yield b.take();
    const start = b.mark();
    b.put(header);
    const hash = createHash("sha256");
    let got: { shortBy: number };
    try {
      got = small ? readSmall(b, fd, st.size, hash) : yield* readLarge(b, fd, st.size, hash);
    } catch (error) {
      if (!small) throw error;
      b.rewind(start);
      return { error };
    }
    const changed = changedWhy(fs, fd, st, got);
    b.done(record({ ...common, type: "file" }, st.size, hash.digest("hex")), st.size);
    return { size: st.size, changed };
  } finally {
    fs.close(fd);
  }
}

/** A small file: its entry fits in the batch (checked by the caller), so no batch is handed out. */
function readSmall(b: BatchBuilder, fd: number, size: number, hash: Hash): { shortBy: number } {
  const w = b.window(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, w, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  if (got < size) w.fill(0, got);
  hash.update(w);
  b.advance(size);
  b.zeros(padLen(size));
  return { shortBy: size - got };
}

/** The outcome of one walked entry for the result's lists. */
function leftOut(r: SiteFilesResult, abs: string, error: unknown, skip: boolean): void {
  if (isVanished(error)) r.vanished.push(abs);
  else if (!skip) throw new UnreadableEntry(abs, error);
  else r.skipped.push(abs);
}

const mtimeOf = (s: Stats): number => Math.floor(s.mtimeMs / 1000);

/**
 * The tree's entries under `job.prefix`, in sorted depth-first order, as batches; fills `r`.
 * `stopped()` is asked before every entry (throws Stopped).
 */
export function* treeBatches(
  fs: SiteFs,
  job: TreeJob,
  r: SiteFilesResult,
  stopped: () => boolean,
): Generator<TarBatch> {
  const b = new BatchBuilder();
  for (const w of walkTree(fs, path.normalize(job.siteDir))) {
    if (stopped()) throw new Stopped();
    if ("vanished" in w) {
      r.vanished.push(w.abs);
      continue;
    }
    if ("error" in w) {
      // The workspace root itself gone is not churn (walkTree says error, not vanished).
      if (!job.skipUnreadable) throw new UnreadableEntry(w.abs, w.error);
      r.skipped.push(w.abs);
      continue;
    }
    const st = w.st;
    const common = {
      name: `${job.prefix}/${w.rel}`,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtime: mtimeOf(st),
    };
    if (st.isDirectory()) {
      yield* addEmpty(b, { ...common, type: "directory", size: 0 });
      r.directories += 1;
    } else if (st.isSymbolicLink()) {
      let linkname: string;
      try {
        linkname = fs.readlink(w.abs);
      } catch (error) {
        leftOut(r, w.abs, error, job.skipUnreadable);
        continue;
      }
      yield* addEmpty(b, { ...common, type: "symlink", size: 0, linkname });
      r.symlinks += 1;
    } else if (st.isFile()) {
      const done = yield* addFile(b, fs, common, w.abs, st);
      if ("error" in done) {
        leftOut(r, w.abs, done.error, job.skipUnreadable);
        continue;
      }
      if (done.changed !== undefined) r.changed.push({ path: w.abs, why: done.changed });
      r.files += 1;
      r.bytes += done.size;
    } else {
      r.ignored.push(w.abs);
    }
    if (b.full) yield b.take();
  }
  if (!b.empty) yield b.take();
}

/** A directory or a symbolic link: header only. */
function* addEmpty(b: BatchBuilder, f: TarHeaderFields): Generator<TarBatch, void> {
  const header = encodeHeader({ ...f, size: 0 });
  if (!b.fits(header.length)) yield b.take();
  b.put(header);
  b.done(record(f, 0, EMPTY_SHA256), 0);
}

/**
 * One file (a staged dump, private to this backup) as one entry of its size at open; a file that
 * changes meanwhile fails (nothing else writes to it). Returns its size.
 */
export function* fileBatches(fs: SiteFs, job: FileJob, out: { size: number }): Generator<TarBatch> {
  const b = new BatchBuilder();
  const st = fs.lstat(job.path);
  const { kind: _kind, path: abs, ...common } = job;
  const done = yield* addFile(b, fs, common, abs, st);
  if ("error" in done) throw done.error;
  if (done.changed !== undefined) throw new Error(`${abs} ${done.changed}`);
  out.size = done.size;
  yield b.take();
}
