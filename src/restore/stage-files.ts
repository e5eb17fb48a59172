// Writing one workspace's entries into the staging directory. Our own writer instead of tar's
// extractor: only entries already validated by planFiles() are written, never through a link,
// with the archive's modes (directories last, so a read-only directory can still be filled),
// and each file's SHA-256 is compared with pass 1 so an archive changed in between is caught.
//
// Directories, links and small files use synchronous fs calls, on purpose: a workspace holds tens
// of thousands of tiny entries, and the thread-pool round trip of each async call cost ~10× the
// syscall itself (bench/restore.sh: 30 s against 2.5 s for `tar -x`). Nothing else runs on the
// event loop meanwhile, and file data still streams from the archive chunk by chunk.
import { createHash } from "node:crypto";
import {
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

export class FileStager {
  private readonly dirs: PlannedEntry[] = [];
  private readonly done: string[] = [];
  /** Directories known to exist (absolute). */
  private readonly made = new Set<string>();
  written = 0;
  bytes = 0;

  constructor(private readonly root: string) {}

  private abs(rel: string): string {
    return rel === "" ? this.root : path.join(this.root, ...rel.split("/"));
  }

  private parent(abs: string): void {
    const dir = path.dirname(abs);
    if (this.made.has(dir)) return;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.made.add(dir);
  }

  async write(p: PlannedEntry, e: ReadEntry): Promise<void> {
    const abs = this.abs(p.rel);
    const mtime = p.entry.mtime === undefined ? undefined : new Date(p.entry.mtime);
    switch (p.kind) {
      case "dir":
        e.resume();
        makeDir(abs);
        this.made.add(abs);
        this.dirs.push(p);
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
    this.done.push(p.rel);
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
    const dirs = [...this.dirs].sort((a, b) => b.rel.split("/").length - a.rel.split("/").length);
    for (const d of dirs) {
      const abs = this.abs(d.rel);
      chmodSync(abs, d.entry.mode);
      if (d.entry.mtime !== undefined)
        utimesSync(abs, new Date(d.entry.mtime), new Date(d.entry.mtime));
    }
    return Promise.resolve();
  }

  /** Owner and group of the shared directory, set with lchown (never following links). */
  async setOwnership(uid: number, gid: number): Promise<string[]> {
    const failed: string[] = [];
    if (process.getuid?.() === uid && process.getgid?.() === gid) return failed;
    for (const rel of ["", ...this.done]) {
      try {
        await lchown(this.abs(rel), uid, gid);
      } catch {
        failed.push(rel === "" ? "." : rel);
      }
    }
    return failed;
  }
}
