// --keep N: after a successful backup, remove older pmadmin backups of the same workspace in the
// same directory, keeping the newest N (the new one included).
//
// A pmadmin backup is recognised by its first tar header, read without scanning the archive
// (a .tar.gz is inflated only for its first block): pmadmin writes POSIX ustar headers
// ("ustar\0" "00") and its first entry is "<first workspace>.meta". ProcessMaker's own archives
// (Archive_Tar, GNU tar) use the old GNU magic "ustar  ", so they are never touched. Split backups
// count as one backup: "<file>.00" is sniffed and all of "<file>.NN" go together.
import { open, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { createGunzip } from "node:zlib";

export interface BackupSet {
  /** Display path: the file, or "<file>.*" for split parts. */
  label: string;
  files: string[];
  mtimeMs: number;
}

const PART_RE = /^(.*)\.(?:\d\d|9\d{3}|99\d{4})$/;

async function firstBlock(file: string): Promise<Buffer | undefined> {
  const fh = await open(file, "r");
  try {
    const head = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const data = head.subarray(0, bytesRead);
    if (data[0] === 0x1f && data[1] === 0x8b) {
      return await new Promise<Buffer | undefined>((resolve) => {
        const gz = createGunzip();
        const chunks: Buffer[] = [];
        let len = 0;
        gz.on("data", (c: Buffer) => {
          chunks.push(c);
          len += c.length;
          if (len >= 512) {
            gz.destroy();
            resolve(Buffer.concat(chunks).subarray(0, 512));
          }
        });
        gz.on("error", () => resolve(undefined));
        gz.on("end", () =>
          resolve(len >= 512 ? Buffer.concat(chunks).subarray(0, 512) : undefined),
        );
        gz.end(data);
      });
    }
    return data.length >= 512 ? data.subarray(0, 512) : undefined;
  } finally {
    await fh.close();
  }
}

/** Whether the file starts like a pmadmin archive of `workspace`. */
export async function isPmadminBackupOf(file: string, workspace: string): Promise<boolean> {
  let block: Buffer | undefined;
  try {
    block = await firstBlock(file);
  } catch {
    return false;
  }
  if (!block) return false;
  const cstr = (from: number, len: number): string => {
    const b = block.subarray(from, from + len);
    const z = b.indexOf(0);
    return b.subarray(0, z < 0 ? b.length : z).toString("utf8");
  };
  return (
    block.subarray(257, 265).toString("latin1") === "ustar\u000000" &&
    cstr(0, 100) === `${workspace}.meta` &&
    cstr(345, 131) === ""
  );
}

/** Older pmadmin backups of `workspace` in `dir`, newest first, excluding `exclude` (the new one). */
export async function findBackupSets(
  dir: string,
  workspace: string,
  exclude: ReadonlySet<string>,
): Promise<BackupSet[]> {
  const sets: BackupSet[] = [];
  const names = await readdir(dir);
  for (const name of names) {
    if (name.startsWith(".")) continue;
    const abs = path.join(dir, name);
    let files: string[];
    let label: string;
    const part = PART_RE.exec(name);
    if (part) {
      if (!name.endsWith(".00")) continue;
      const base = part[1] as string;
      files = names.filter((n) => PART_RE.exec(n)?.[1] === base).map((n) => path.join(dir, n));
      label = `${path.join(dir, base)}.*`;
    } else if (/\.(tar|tar\.gz|tgz)$/i.test(name)) {
      files = [abs];
      label = abs;
    } else continue;
    if (files.some((f) => exclude.has(f))) continue;
    const st = await stat(abs).catch(() => undefined);
    if (!st?.isFile()) continue;
    if (!(await isPmadminBackupOf(abs, workspace))) continue;
    sets.push({ label, files, mtimeMs: st.mtimeMs });
  }
  return sets.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/** Removes all but the newest `keep - 1` older sets (the new backup is the first kept). */
export async function applyRetention(o: {
  dir: string;
  workspace: string;
  keep: number;
  newFiles: readonly string[];
}): Promise<string[]> {
  const older = await findBackupSets(o.dir, o.workspace, new Set(o.newFiles));
  const doomed = older.slice(Math.max(0, o.keep - 1));
  for (const s of doomed) for (const f of s.files) await rm(f, { force: true });
  return doomed.map((s) => s.label);
}
