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
import { readLines } from "./entry-spool.js";
import type { PlannedEntry } from "./layout.js";

const code = (error: unknown): string | undefined => (error as { code?: string }).code;

/** Creates a file that did not exist, so nothing is ever written through a link left at its name. */
function openNew(abs: string): number {
  try {
    return openSync(abs, "wx", 0o600);
  } catch (error) {
    if (code(error) !== "EEXIST") throw error;
    unlinkSync(abs); // a later entry of the same name replaces the earlier one, as with tar
    return openSync(abs, "wx", 0o600);
  }
}

function makeDir(abs: string): void {
  try {
    mkdirSync(abs, { mode: 0o700 });
  } catch (error) {
    if (code(error) === "ENOENT") {
      mkdirSync(abs, { recursive: true, mode: 0o700 });
      return;
    }
    if (code(error) !== "EEXIST") throw error;
    if (lstatSync(abs).isDirectory()) return;
    unlinkSync(abs);
    mkdirSync(abs, { mode: 0o700 });
  }
}

function unlinkIfThere(abs: string): void {
  try {
    unlinkSync(abs);
  } catch (error) {
    if (code(error) !== "ENOENT") throw error;
  }
}

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

  private parent(abs: string): void {
    const dir = path.dirname(abs);
    if (this.made.has(dir)) return;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.known(dir);
  }

  async write(p: PlannedEntry, e: ReadEntry): Promise<void> {
    const abs = this.abs(p.rel);
    const mtime = p.entry.mtime === undefined ? undefined : new Date(p.entry.mtime);
    switch (p.kind) {
      case "dir":
        e.resume();
        makeDir(abs);
        this.known(abs);
        this.rememberDir(p);
        break;
      case "file":
        await this.writeFile(p, e, abs, mtime);
        this.bytes += p.entry.size;
        break;
      case "symlink":
        e.resume();
        this.parent(abs);
        unlinkIfThere(abs);
        this.made.delete(abs);
        symlinkSync(p.entry.linkpath ?? "", abs);
        if (mtime) await lutimes(abs, mtime, mtime).catch(() => undefined);
        break;
      case "hardlink":
        e.resume();
        this.parent(abs);
        unlinkIfThere(abs);
        linkSync(this.abs(p.linkRel ?? ""), abs);
        break;
      default:
        e.resume();
    }
    this.written += 1;
  }

  private async writeFile(
    p: PlannedEntry,
    e: ReadEntry,
    abs: string,
    mtime: Date | undefined,
  ): Promise<void> {
    const h = createHash("sha256");
    this.parent(abs);
    const fd = openNew(abs);
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
