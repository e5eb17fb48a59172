// Writing one workspace's entries into the staging directory. Our own writer instead of tar's
// extractor: only entries already validated by planFiles() are written, never through a link,
// with the archive's modes (directories last, so a read-only directory can still be filled),
// and each file's SHA-256 is compared with pass 1 so an archive changed in between is caught.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, link, lchown, lutimes, mkdir, symlink, unlink, utimes } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadEntry } from "tar";
import { failure } from "../errors.js";
import type { PlannedEntry } from "./layout.js";

export interface StagedFiles {
  written: number;
  bytes: number;
  /** Paths (relative) whose owner/group could not be set. */
  ownershipFailed: string[];
}

export class FileStager {
  private readonly dirs: PlannedEntry[] = [];
  private readonly done: string[] = [];
  written = 0;
  bytes = 0;

  constructor(private readonly root: string) {}

  private abs(rel: string): string {
    return rel === "" ? this.root : path.join(this.root, ...rel.split("/"));
  }

  async write(p: PlannedEntry, e: ReadEntry): Promise<void> {
    const abs = this.abs(p.rel);
    if (p.rel !== "") await mkdir(path.dirname(abs), { recursive: true, mode: 0o700 });
    const mtime = p.entry.mtime === undefined ? undefined : new Date(p.entry.mtime);
    switch (p.kind) {
      case "dir":
        await mkdir(abs, { recursive: true, mode: 0o700 });
        this.dirs.push(p);
        e.resume();
        break;
      case "file": {
        await unlink(abs).catch(() => undefined);
        const h = createHash("sha256");
        const tap = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            h.update(chunk);
            cb(null, chunk);
          },
        });
        await pipeline(e, tap, createWriteStream(abs, { flags: "wx", mode: 0o600 }));
        if (p.entry.sha256 !== undefined && h.digest("hex") !== p.entry.sha256) {
          throw failure("RESTORE.ARCHIVE_CHANGED", `The backup changed while it was being restored (${p.entry.path}).`, { hint: "Do not write to the backup file during a restore." });
        }
        await chmod(abs, p.entry.mode);
        if (mtime) await utimes(abs, mtime, mtime);
        this.bytes += p.entry.size;
        break;
      }
      case "symlink":
        await unlink(abs).catch(() => undefined);
        await symlink(p.entry.linkpath ?? "", abs);
        if (mtime) await lutimes(abs, mtime, mtime).catch(() => undefined);
        e.resume();
        break;
      case "hardlink":
        await unlink(abs).catch(() => undefined);
        await link(this.abs(p.linkRel ?? ""), abs);
        e.resume();
        break;
      default:
        e.resume();
    }
    this.done.push(p.rel);
    this.written += 1;
  }

  /** Directory modes and times, deepest first, once nothing more goes into them. */
  async finishDirs(): Promise<void> {
    const dirs = [...this.dirs].sort((a, b) => b.rel.split("/").length - a.rel.split("/").length);
    for (const d of dirs) {
      const abs = this.abs(d.rel);
      await chmod(abs, d.entry.mode);
      if (d.entry.mtime !== undefined) await utimes(abs, new Date(d.entry.mtime), new Date(d.entry.mtime));
    }
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
