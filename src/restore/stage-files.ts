// Writing one workspace's entries into the staging directory. Our own writer instead of tar's
// extractor: only entries already validated by planFiles() are written, never through a link,
// with the archive's modes (directories last, so a read-only directory can still be filled),
// and each file's SHA-256 is compared with pass 1 so an archive changed in between is caught.
//
// Directories, links and small files use synchronous fs calls, on purpose: a workspace holds tens
// of thousands of tiny entries, and the thread-pool round trip of each async call cost ~10× the
// syscall itself (bench/restore.sh: 30 s against 2.5 s for `tar -x`). Nothing else runs on the
// event loop meanwhile, and file data still streams from the archive chunk by chunk.
//
// Memory does not grow with the number of entries: directories' modes and times wait in spool
// files (one per depth) in the restore's work directory, the cache of directories known to exist
// is bounded, and ownership is set from the plan's entries read again.
import { createHash } from "node:crypto";
import {
  appendFileSync,
  constants,
  chmodSync,
  closeSync,
  fchmodSync,
  futimesSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { lchown, lutimes } from "node:fs/promises";
import path from "node:path";
import type { ReadEntry } from "tar";
import { failure } from "../errors.js";
import { readLines } from "../archive/read/entry-spool.js";
import { unsafe, type PlannedEntry } from "./layout.js";
import { restoreWriteFailure } from "./write-failure.js";

const code = (error: unknown): string | undefined => (error as { code?: string }).code;

const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

const MADE_CACHE = 4096;
const DIR_FLUSH = 64 * 1024;

export class FileStager {
  /** Directory records not yet in their depth's spool file: depth → JSON lines. */
  private readonly dirBuf = new Map<number, string>();
  private readonly dirDepths = new Set<number>();
  /** Directories known to exist (absolute); a bounded cache. */
  private readonly made = new Set<string>();
  written = 0;
  bytes = 0;

  /** `workDir`: a private directory for the spool files (not inside `root`). */
  constructor(
    private readonly root: string,
    private readonly workDir: string,
  ) {}

  private known(abs: string): void {
    if (this.made.size >= MADE_CACHE) this.made.clear();
    this.made.add(abs);
  }

  private dirFile(depth: number): string {
    return path.join(this.workDir, `dirs-${depth}.jsonl`);
  }

  private flushDirs(depth: number): void {
    const text = this.dirBuf.get(depth);
    if (text === undefined || text === "") return;
    appendFileSync(this.dirFile(depth), text, { mode: 0o600 });
    this.dirBuf.set(depth, "");
  }

  private rememberDir(p: PlannedEntry): void {
    const depth = p.rel.split("/").length;
    this.dirDepths.add(depth);
    const text = `${this.dirBuf.get(depth) ?? ""}${JSON.stringify([p.rel, p.entry.mode, p.entry.mtime ?? null])}\n`;
    this.dirBuf.set(depth, text);
    if (text.length >= DIR_FLUSH) this.flushDirs(depth);
  }

  private abs(rel: string): string {
    return rel === "" ? this.root : path.join(this.root, ...rel.split("/"));
  }

  /**
   * Makes sure every directory from the staging root down to `rel`'s parent is a real directory
   * (created when missing), walking the tree as it is on disk: a component that is a symbolic
   * link is refused, never followed — whatever the planner concluded from the entries' names.
   * The cache only holds directories, and a directory is never replaced (see `clear`), so it
   * cannot go stale.
   */
  private parents(rel: string, entry: string): string {
    if (rel === "") return this.root;
    const abs = this.abs(rel);
    // Fast path: a cached parent was verified from the root down when it was cached, and a
    // directory is never replaced, so its ancestors still hold.
    if (this.made.has(path.dirname(abs))) return abs;
    let dir = this.root;
    this.realDir(dir, entry, ".");
    const parts = rel === "" ? [] : rel.split("/");
    for (let i = 0; i < parts.length - 1; i++) {
      dir = path.join(dir, parts[i] ?? "");
      this.realDir(dir, entry, parts.slice(0, i + 1).join("/"));
    }
    return rel === "" ? this.root : path.join(dir, parts.at(-1) ?? "");
  }

  private realDir(abs: string, entry: string, rel: string): void {
    if (this.made.has(abs)) return;
    let st;
    try {
      st = lstatSync(abs);
    } catch (error) {
      if (code(error) !== "ENOENT") throw error;
      mkdirSync(abs, { mode: 0o700 });
      this.known(abs);
      return;
    }
    if (st.isSymbolicLink()) throw unsafe(entry, `lies below a symbolic link (${rel})`);
    if (!st.isDirectory())
      throw unsafe(entry, `lies below something that is not a directory (${rel})`);
    this.known(abs);
  }

  /**
   * Removes what an earlier entry left at `abs` so this entry can take the name (as tar does),
   * never following a link there. A directory is not replaced by a file or a link: its content
   * came from the archive too, and its path may be cached as a real directory.
   */
  private clear(abs: string, entry: string): void {
    let st;
    try {
      st = lstatSync(abs);
    } catch (error) {
      if (code(error) === "ENOENT") return;
      throw error;
    }
    if (st.isDirectory()) throw unsafe(entry, "replaces a directory of an earlier entry");
    unlinkSync(abs);
  }

  /** A file created under its name and nothing else: O_EXCL|O_NOFOLLOW never open a link's target. */
  private openNew(abs: string, entry: string): number {
    try {
      return openSync(abs, NEW_FILE, 0o600);
    } catch (error) {
      if (code(error) !== "EEXIST") throw error;
      this.clear(abs, entry);
      return openSync(abs, NEW_FILE, 0o600);
    }
  }

  /** The entry's directory; a link or file left there by an earlier entry is replaced, as tar does. */
  private makeDir(abs: string): void {
    try {
      mkdirSync(abs, { mode: 0o700 });
    } catch (error) {
      if (code(error) !== "EEXIST") throw error;
      const st = lstatSync(abs);
      if (!st.isDirectory()) {
        unlinkSync(abs);
        mkdirSync(abs, { mode: 0o700 });
      }
    }
    this.known(abs);
  }

  /** A hard link's target: a regular file reached through real directories only. */
  private hardlinkTarget(rel: string, entry: string): string {
    let dir = this.root;
    const parts = rel.split("/");
    for (let i = 0; i < parts.length - 1; i++) {
      dir = path.join(dir, parts[i] ?? "");
      if (!lstatSync(dir, { throwIfNoEntry: false })?.isDirectory())
        throw unsafe(entry, `is a hard link through something that is not a directory (${rel})`);
    }
    const abs = path.join(dir, parts.at(-1) ?? "");
    if (!lstatSync(abs, { throwIfNoEntry: false })?.isFile())
      throw unsafe(entry, `is a hard link to something that is not a file (${rel})`);
    return abs;
  }

  async write(p: PlannedEntry, e: ReadEntry): Promise<void> {
    try {
      await this.writeEntry(p, e);
    } catch (error) {
      throw (
        restoreWriteFailure(error, "the staging copy of the files", path.dirname(this.root)) ??
        error
      );
    }
    this.written += 1;
  }

  private async writeEntry(p: PlannedEntry, e: ReadEntry): Promise<void> {
    const entry = p.entry.path;
    const abs = this.parents(p.rel, entry);
    const mtime = p.entry.mtime === undefined ? undefined : new Date(p.entry.mtime);
    switch (p.kind) {
      case "dir":
        e.resume();
        if (abs !== this.root) this.makeDir(abs);
        this.rememberDir(p);
        break;
      case "file":
        await this.writeFile(p, e, abs, mtime);
        this.bytes += p.entry.size;
        break;
      case "symlink":
        e.resume();
        this.clear(abs, entry);
        symlinkSync(p.entry.linkpath ?? "", abs);
        if (mtime) await lutimes(abs, mtime, mtime).catch(() => undefined);
        break;
      case "hardlink": {
        e.resume();
        const target = this.hardlinkTarget(p.linkRel ?? "", entry);
        this.clear(abs, entry);
        linkSync(target, abs);
        break;
      }
      default:
        e.resume();
    }
  }

  private async writeFile(
    p: PlannedEntry,
    e: ReadEntry,
    abs: string,
    mtime: Date | undefined,
  ): Promise<void> {
    const h = createHash("sha256");
    const fd = this.openNew(abs, p.entry.path);
    try {
      for await (const c of e) {
        const b = c;
        h.update(b);
        let off = 0;
        while (off < b.length) off += writeSync(fd, b, off);
      }
      if (p.entry.sha256 !== undefined && h.digest("hex") !== p.entry.sha256) {
        throw failure(
          "RESTORE.ARCHIVE_CHANGED",
          `The backup changed while it was being restored (${p.entry.path}).`,
          {
            hint: "Do not write to the backup file during a restore.",
          },
        );
      }
      fchmodSync(fd, p.entry.mode);
      if (mtime) futimesSync(fd, mtime, mtime);
    } finally {
      closeSync(fd);
    }
  }

  /** Directory modes and times, deepest first, once nothing more goes into them. */
  async finishDirs(): Promise<void> {
    const depths = [...this.dirDepths].sort((a, b) => b - a);
    for (const depth of depths) {
      this.flushDirs(depth);
      for await (const line of readLines(this.dirFile(depth))) {
        const [rel, mode, mtime] = JSON.parse(line) as [string, number, number | null];
        const abs = this.abs(rel);
        // Still the directory it was: directories are never replaced and nothing is written
        // below a link, so no link can stand at this path or above it.
        if (!lstatSync(abs).isDirectory()) continue;
        chmodSync(abs, mode);
        if (mtime !== null) utimesSync(abs, new Date(mtime), new Date(mtime));
      }
    }
  }

  /**
   * Owner and group of the shared directory, set with lchown (never following links), on the
   * staging directory and every entry written (`rels`: the plan's entries, in archive order).
   */
  async setOwnership(uid: number, gid: number, rels: AsyncIterable<string>): Promise<string[]> {
    const failed: string[] = [];
    if (process.getuid?.() === uid && process.getgid?.() === gid) return failed;
    async function* all(): AsyncGenerator<string> {
      yield "";
      yield* rels;
    }
    for await (const rel of all()) {
      try {
        await lchown(this.abs(rel), uid, gid);
      } catch {
        failed.push(rel === "" ? "." : rel);
      }
    }
    return failed;
  }
}
