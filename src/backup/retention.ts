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
//
// Calendar rules (--keep-daily/weekly/monthly: calendar-retention.ts) date a backup by the time
// pmadmin stamped on its entries (the manifest's createdAt, read from the first header), not by
// its mtime. An age-encrypted backup (`….age`, by its header) cannot be read on a host that holds
// only the public key: it belongs to the family by its name alone (its workspace set cannot be
// checked) and is dated by the date in its name, else its mtime.
import { createReadStream } from "node:fs";
import { open, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { createGunzip } from "node:zlib";
import { partOf } from "../archive/parts.js";
import { AGE_MAGIC, isAgeHeader } from "../archive/read/age-source.js";
import {
  calendarKeep,
  dateFromName,
  hasCalendarRules,
  type CalendarRules,
  type Dated,
} from "./calendar-retention.js";

export interface BackupSet {
  /** Display path: the file, or "<file>.*" for split parts. */
  label: string;
  files: string[];
  mtimeMs: number;
  /** When it was made: from the archive, else the date in its name, else mtime (see below). */
  createdMs: number;
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
async function pmadminWorkspaceSet(
  file: string,
): Promise<{ names: string[]; createdMs: number } | undefined> {
  let data: Buffer;
  try {
    data = await leadingTar(file, LEAD_BYTES);
  } catch {
    return undefined;
  }
  const names: string[] = [];
  let createdMs = 0;
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
    if (!isMeta) return names.length > 0 ? { names, createdMs } : undefined;
    names.push(name.slice(0, -".meta".length));
    // pmadmin stamps every entry with the backup's time (the manifest's createdAt, in seconds).
    if (names.length === 1) createdMs = parseInt(cstr(136, 12).trim() || "0", 8) * 1000;
    const size = parseInt(cstr(124, 12).trim() || "0", 8);
    if (!Number.isFinite(size)) return undefined;
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined; // the set did not end within what was read: do not guess
}

/**
 * When the backup `abs` of the family was made, or undefined when it is not one of ours with the
 * wanted workspace set. An age-encrypted one (by its header) cannot be read without the identity,
 * which the backup host does not hold: its workspace set is taken from the family name alone and
 * its time from the date in its name, else its mtime.
 */
async function createdIfOurs(
  abs: string,
  name: string,
  mtimeMs: number,
  wantSet: string,
): Promise<number | undefined> {
  if (await isAgeFile(abs)) return dateFromName(name) ?? mtimeMs;
  const set = await pmadminWorkspaceSet(abs);
  if (set === undefined || setKey(set.names) !== wantSet) return undefined;
  return set.createdMs > 0 ? set.createdMs : (dateFromName(name) ?? mtimeMs);
}

async function isAgeFile(file: string): Promise<boolean> {
  const head = Buffer.alloc(AGE_MAGIC.length);
  const fh = await open(file, "r");
  try {
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  return isAgeHeader(head);
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
    } else if (/\.(tar|tar\.gz|tgz)(\.age)?$/i.test(name)) {
      files = [abs];
      label = abs;
    } else continue;
    if (familyKey(name) !== family) continue;
    if (files.some((f) => exclude.has(f))) continue;
    const st = await stat(abs).catch(() => undefined);
    if (!st?.isFile()) continue;
    const created = await createdIfOurs(abs, name, st.mtimeMs, wantSet);
    if (created === undefined) continue;
    sets.push({ label, files, mtimeMs: st.mtimeMs, createdMs: created });
  }
  return sets.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/**
 * The older sets no rule keeps; removes them unless `dryRun`. Returns their labels. `--keep N`
 * keeps the newest N by mtime (the new backup is the first kept); the calendar rules keep by
 * creation time, counting the new backup (made `now`). A set is kept if any rule keeps it.
 */
export async function applyRetention(o: {
  dir: string;
  /** The new backup's final path (its name picks the family). */
  target: string;
  workspaces: readonly string[];
  keep: number | undefined;
  calendar?: CalendarRules | undefined;
  now?: Date | undefined;
  newFiles: readonly string[];
  dryRun?: boolean;
}): Promise<string[]> {
  const older = await findBackupSets(
    o.dir,
    path.basename(o.target),
    o.workspaces,
    new Set(o.newFiles),
  );
  const kept = new Set<BackupSet>();
  if (o.keep !== undefined) for (const s of older.slice(0, Math.max(0, o.keep - 1))) kept.add(s);
  if (o.calendar && hasCalendarRules(o.calendar)) {
    const fresh = { createdMs: (o.now ?? new Date()).getTime() };
    for (const s of calendarKeep<Dated>([fresh, ...older], o.calendar))
      if (s !== fresh) kept.add(s as BackupSet);
  }
  const doomed = older.filter((s) => !kept.has(s));
  if (!o.dryRun) for (const s of doomed) for (const f of s.files) await rm(f, { force: true });
  return doomed.map((s) => s.label);
}
