// Archiving a workspace's sites/<ws> tree under "<ws>.files/": directories (empty ones too), files
// with their mode, mtime and numeric owner, symbolic links stored as links and never followed,
// names as UTF-8. An unreadable file or directory stops the backup naming it, unless the caller
// asked to skip those (ProcessMaker skips them silently; we list them).
import { constants, type Stats } from "node:fs";
import { lstat, open, readdir, readlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { failure, throwIfInterrupted } from "../errors.js";
import type { TarWriter } from "../archive/tar-writer.js";

/** The one fs call tests may replace: opening a file for reading (to simulate EACCES as root). */
export type OpenForRead = (abs: string) => Promise<FileHandle>;

export const openForRead: OpenForRead = (abs) => open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);

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

const mtimeOf = (s: Stats): number => Math.floor(s.mtimeMs / 1000);

function unreadable(abs: string, error: unknown): Error {
  return failure("BACKUP.UNREADABLE", `Cannot read ${abs}: ${(error as Error).message}`, {
    hint: "Run pmadmin as a user that can read the whole workspace (often root or the web server user), fix the file's permissions, or add --skip-unreadable to leave such files out (they are listed).",
  });
}

export async function archiveSiteFiles(tar: TarWriter, o: SiteFilesOptions): Promise<SiteFilesResult> {
  const r: SiteFilesResult = { files: 0, directories: 0, symlinks: 0, bytes: 0, skipped: [], ignored: [], changed: [] };
  const openFile = o.open ?? openForRead;

  const visit = async (rel: string): Promise<void> => {
    const dirAbs = rel === "" ? o.siteDir : path.join(o.siteDir, rel);
    let names: string[];
    try {
      names = (await readdir(dirAbs)).sort();
    } catch (error) {
      if (!o.skipUnreadable) throw unreadable(dirAbs, error);
      r.skipped.push(dirAbs);
      return;
    }
    for (const name of names) {
      throwIfInterrupted(o.signal);
      const childRel = rel === "" ? name : `${rel}/${name}`;
      const abs = path.join(o.siteDir, childRel);
      const entryName = `${o.prefix}/${childRel}`;
      const st = await lstat(abs);
      const common = { name: entryName, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: mtimeOf(st) };
      if (st.isDirectory()) {
        await tar.addEmpty({ ...common, type: "directory", size: 0 });
        r.directories += 1;
        await visit(childRel);
      } else if (st.isSymbolicLink()) {
        await tar.addEmpty({ ...common, type: "symlink", size: 0, linkname: await readlink(abs) });
        r.symlinks += 1;
      } else if (st.isFile()) {
        let fh: FileHandle;
        try {
          fh = await openFile(abs);
        } catch (error) {
          if (!o.skipUnreadable) throw unreadable(abs, error);
          r.skipped.push(abs);
          continue;
        }
        try {
          // Size from the open file, so header and content describe the same file.
          const fst = await fh.stat();
          const source = fh.createReadStream({ highWaterMark: 1 << 18, autoClose: false, start: 0 });
          const { shortBy } = await tar.addStream({ ...common, mode: fst.mode & 0o7777, mtime: mtimeOf(fst) }, fst.size, source);
          if (shortBy > 0) r.changed.push(abs);
          r.files += 1;
          r.bytes += fst.size;
          o.onFile?.(fst.size);
        } finally {
          await fh.close().catch(() => undefined);
        }
      } else {
        r.ignored.push(abs);
      }
    }
  };
  await visit("");
  return r;
}
