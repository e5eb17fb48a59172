// --keep N: after a successful backup, remove older backups of the same family, keeping the
// newest N (the new one included). A family is: the same directory, the same workspace set, and
// the same file name once its date/time digit runs are masked — so `workflow-2026-12-01.tar.gz`
// and `workflow-2026-12-08.tar.gz` are one family, while `before-upgrade.tar`, `workflow.tar`,
// `other-2026-12-01.tar.gz` and `workflow-2026-12-01.tar` (another ending) are not. A name without
// such a run is a family of one: --keep never removes anything else for it.
//
// A pmadmin backup is recognised by its leading tar headers, read without scanning the archive (a
// .tar.gz is inflated only for its first KiBs): pmadmin writes POSIX ustar headers ("ustar\0"
// "00") and starts with the "<ws>.meta" entry of every workspace it holds, which gives the
// workspace set. ProcessMaker's own archives (Archive_Tar, GNU tar) use the old GNU magic
// "ustar  ", so they are never touched. Split backups count as one backup: "<file>.00" is sniffed
// and all of "<file>.NN" go together.
import { createReadStream } from "node:fs";
import { open, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { createGunzip } from "node:zlib";
import { partOf } from "../archive/parts.js";

export interface BackupSet {
  /** Display path: the file, or "<file>.*" for split parts. */
  label: string;
  files: string[];
  mtimeMs: number;
}

/**
 * Date/time digit runs: digit groups joined by - _ . : or T (2026-12-01, 20261201-0315,
 * 2026-12-01T03:15:00, an epoch) holding at least four digits. Shorter runs (v2, backup-1) are
 * part of the name: a hand-numbered backup is never taken for an older one of a series.
 */
const DATE_RUN = /\d+(?:[-_.:T]\d+)*/g;

/** The family key of a backup file name (split suffix removed), or undefined: a family of one. */
export function familyKey(fileName: string): string | undefined {
  const base = partOf(fileName) ?? fileName;
  let masked = false;
  const key = base.replace(DATE_RUN, (run) => {
    if (run.replace(/\D/g, "").length < 4) return run;
    masked = true;
    return "\u0000";
  });
  return masked ? key : undefined;
}

/** Up to `want` bytes of the tar stream (inflated when gzip), or fewer when the file is shorter. */
async function leadingTar(file: string, want: number): Promise<Buffer> {
  const magic = Buffer.alloc(2);
  const fh = await open(file, "r");
  try {
    await fh.read(magic, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const raw = createReadStream(file, { highWaterMark: 64 * 1024 });
  const gz = magic[0] === 0x1f && magic[1] === 0x8b ? createGunzip() : undefined;
  const source = gz ? raw.pipe(gz) : raw;
  const chunks: Buffer[] = [];
  let len = 0;
  try {
    for await (const c of source) {
      chunks.push(c as Buffer);
      len += (c as Buffer).length;
      if (len >= want) break;
    }
  } catch {
    // A damaged archive: whatever was read is all there is to know.
  } finally {
    gz?.destroy();
    raw.destroy();
  }
  return Buffer.concat(chunks).subarray(0, want);
}

const LEAD_BYTES = 1 << 20;

/**
 * The workspaces of a pmadmin archive (its leading "<ws>.meta" entries, in order), or undefined
 * when the file is not a pmadmin archive or its set cannot be told from its first MiB.
 */
async function pmadminWorkspaceSet(file: string): Promise<string[] | undefined> {
  let data: Buffer;
  try {
    data = await leadingTar(file, LEAD_BYTES);
  } catch {
    return undefined;
  }
  const names: string[] = [];
  for (let off = 0; off + 512 <= data.length;) {
    const h = data.subarray(off, off + 512);
    const cstr = (from: number, n: number): string => {
      const b = h.subarray(from, from + n);
      const z = b.indexOf(0);
      return b.subarray(0, z < 0 ? b.length : z).toString("utf8");
    };
    if (h.subarray(257, 265).toString("latin1") !== "ustar\u000000") return undefined;
    const name = cstr(0, 100);
    const isMeta = cstr(345, 131) === "" && h[156] === 0x30 && /^[^/]+\.meta$/.test(name);
    // The first entry that is not a meta ends the set (pmadmin writes all metas first).
    if (!isMeta) return names.length > 0 ? names : undefined;
    names.push(name.slice(0, -".meta".length));
    const size = parseInt(cstr(124, 12).trim() || "0", 8);
    if (!Number.isFinite(size)) return undefined;
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined; // the set did not end within what was read: do not guess
}

const setKey = (workspaces: readonly string[]): string =>
  [...new Set(workspaces.map((w) => w.toLowerCase()))].sort().join("\u0000");

/**
 * Older backups of the family of `fileName` in `dir`, holding exactly `workspaces`, newest first,
 * excluding `exclude` (the new one).
 */
async function findBackupSets(
  dir: string,
  fileName: string,
  workspaces: readonly string[],
  exclude: ReadonlySet<string>,
): Promise<BackupSet[]> {
  const family = familyKey(fileName);
  if (family === undefined) return [];
  const wantSet = setKey(workspaces);
  const sets: BackupSet[] = [];
  const names = await readdir(dir);
  for (const name of names) {
    if (name.startsWith(".")) continue;
    const abs = path.join(dir, name);
    let files: string[];
    let label: string;
    const base = partOf(name);
    if (base !== undefined) {
      if (!name.endsWith(".00")) continue;
      files = names.filter((n) => partOf(n) === base).map((n) => path.join(dir, n));
      label = `${path.join(dir, base)}.*`;
    } else if (/\.(tar|tar\.gz|tgz)$/i.test(name)) {
      files = [abs];
      label = abs;
    } else continue;
    if (familyKey(name) !== family) continue;
    if (files.some((f) => exclude.has(f))) continue;
    const st = await stat(abs).catch(() => undefined);
    if (!st?.isFile()) continue;
    const set = await pmadminWorkspaceSet(abs);
    if (set === undefined || setKey(set) !== wantSet) continue;
    sets.push({ label, files, mtimeMs: st.mtimeMs });
  }
  return sets.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/**
 * The older sets beyond the newest `keep - 1` (the new backup is the first kept); removes them
 * unless `dryRun`. Returns their labels.
 */
export async function applyRetention(o: {
  dir: string;
  /** The new backup's final path (its name picks the family). */
  target: string;
  workspaces: readonly string[];
  keep: number;
  newFiles: readonly string[];
  dryRun?: boolean;
}): Promise<string[]> {
  const older = await findBackupSets(
    o.dir,
    path.basename(o.target),
    o.workspaces,
    new Set(o.newFiles),
  );
  const doomed = older.slice(Math.max(0, o.keep - 1));
  if (!o.dryRun) for (const s of doomed) for (const f of s.files) await rm(f, { force: true });
  return doomed.map((s) => s.label);
}
