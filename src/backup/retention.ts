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
// and all of "<file>.NN" go together. The same holds in an s3://BUCKET/PREFIX/ (backup-place.ts).
import path from "node:path";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { partOf } from "../archive/parts.js";
import { dirPlace, type BackupPlace } from "./backup-place.js";

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

/** Up to `want` bytes of the tar stream (inflated when gzip), or fewer when the entry is shorter. */
async function leadingTar(raw: Readable, want: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let len = 0;
  let gz: ReturnType<typeof createGunzip> | undefined;
  try {
    const it = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await it.next();
    if (first.done) return Buffer.alloc(0);
    const head = first.value;
    async function* again(): AsyncGenerator<Buffer> {
      yield head;
      for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
    }
    const rest = Readable.from(again(), { objectMode: false });
    gz = head[0] === 0x1f && head[1] === 0x8b ? createGunzip() : undefined;
    const source = gz ? rest.pipe(gz) : rest;
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

/** Compressed bytes read at most to find the leading metas (they are small and come first). */
const LEAD_RAW_BYTES = 4 << 20;

export interface PmadminLead {
  /** The workspaces of the archive, in order. */
  workspaces: string[];
  /** When pmadmin wrote it (the tar mtime of its first entry). */
  created: Date;
}

/**
 * What the leading "<ws>.meta" entries of a pmadmin archive tell (its workspaces, when it was
 * written), or undefined when the entry is not a pmadmin archive or its set cannot be told from
 * its first MiB.
 */
export async function sniffPmadminArchive(
  place: BackupPlace,
  name: string,
): Promise<PmadminLead | undefined> {
  let data: Buffer;
  try {
    data = await leadingTar(place.read(name, LEAD_RAW_BYTES), LEAD_BYTES);
  } catch {
    return undefined;
  }
  const mtime = parseInt(
    data.subarray(136, 148).toString("latin1").replace(/\0.*$/s, "").trim() || "x",
    8,
  );
  const workspaces = pmadminWorkspaceSet(data);
  if (!workspaces) return undefined;
  return { workspaces, created: new Date(Number.isFinite(mtime) ? mtime * 1000 : 0) };
}

/**
 * The workspaces of a pmadmin archive (its leading "<ws>.meta" entries, in order), or undefined
 * when the data is not a pmadmin archive or its set cannot be told from it.
 */
function pmadminWorkspaceSet(data: Buffer): string[] | undefined {
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
 * Older backups of the family of `fileName` in `place`, holding exactly `workspaces`, newest
 * first, excluding `exclude` (labels of the new one).
 */
async function findBackupSets(
  place: BackupPlace,
  fileName: string,
  workspaces: readonly string[],
  exclude: ReadonlySet<string>,
): Promise<BackupSet[]> {
  const family = familyKey(fileName);
  if (family === undefined) return [];
  const wantSet = setKey(workspaces);
  const sets: BackupSet[] = [];
  const entries = await place.entries();
  const names = entries.map((e) => e.name);
  for (const entry of entries) {
    const name = entry.name;
    if (name.startsWith(".")) continue;
    let files: string[];
    let label: string;
    const base = partOf(name);
    if (base !== undefined) {
      if (!name.endsWith(".00")) continue;
      files = names.filter((n) => partOf(n) === base);
      label = `${place.label(base)}.*`;
    } else if (/\.(tar|tar\.gz|tgz)$/i.test(name)) {
      files = [name];
      label = place.label(name);
    } else continue;
    if (familyKey(name) !== family) continue;
    if (files.some((f) => exclude.has(place.label(f)))) continue;
    const set = (await sniffPmadminArchive(place, name))?.workspaces;
    if (set === undefined || setKey(set) !== wantSet) continue;
    sets.push({ label, files, mtimeMs: entry.mtimeMs });
  }
  return sets.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/**
 * The older sets beyond the newest `keep - 1` (the new backup is the first kept); removes them
 * unless `dryRun`. Returns their labels.
 */
export async function applyRetention(o: {
  dir: string;
  /** Where the backups lie, when not the directory `dir` (an s3:// prefix). */
  place?: BackupPlace | undefined;
  /** The new backup's final path (its name picks the family). */
  target: string;
  workspaces: readonly string[];
  keep: number;
  newFiles: readonly string[];
  dryRun?: boolean;
}): Promise<string[]> {
  const place = o.place ?? dirPlace(o.dir);
  const older = await findBackupSets(
    place,
    o.place ? o.target.slice(o.target.lastIndexOf("/") + 1) : path.basename(o.target),
    o.workspaces,
    new Set(o.newFiles),
  );
  const doomed = older.slice(Math.max(0, o.keep - 1));
  if (!o.dryRun) for (const s of doomed) for (const f of s.files) await place.remove(f);
  return doomed.map((s) => s.label);
}
