// `backups verify` (and workspace-backup --verify): read a whole archive the way a restore's pass 1
// does (restore/scan.ts: decrypting, inflating and walking the tar structure to its end, hashing
// every entry), then check what a restore would rely on: pmadmin's manifest (every entry's size
// and SHA-256, nothing missing or extra), every `<ws>.meta` decodes, and every `<db>.sql` it names
// is present and complete. A dump is complete when it ends with mariadb-dump's completion line
// (`-- Dump completed`), or — for ProcessMaker's own dumps, written with --skip-comments — with the
// statement mysqldump writes last (`SET SQL_NOTES=@OLD_SQL_NOTES`). The first problem stops the
// check and is reported with the entry it concerns; nothing is written outside `workDir`.
import { decodeMeta, MetaError, type PmMeta } from "../archive/meta.js";
import { verifyManifest } from "../archive/read/manifest-verify.js";
import type { ArchiveSource } from "../archive/read/source.js";
import { errorMessage, failure, type PmError } from "../errors.js";
import { findWorkspaces, normalizeEntryPath, type RawEntry } from "../restore/layout.js";
import { scanArchive, type ArchiveScan, type EntryWatch } from "../restore/scan.js";

const TAIL = 512;

export interface VerifyProblem {
  code: string;
  /** The archive entry concerned (the first bad one), when there is one. */
  entry: string | undefined;
  message: string;
}

export interface WorkspaceVerdict {
  name: string;
  verdict: "sound" | "damaged" | "unchecked";
  databases: Array<{ name: string; complete: boolean }>;
  entries: number;
}

export interface VerifyResult {
  ok: boolean;
  file: string;
  encrypted: boolean;
  gzip: boolean;
  bytes: number;
  entries: number;
  /** Entries whose size and SHA-256 matched pmadmin's manifest ("absent": ProcessMaker's archive). */
  manifest: "verified" | "absent" | "failed";
  workspaces: WorkspaceVerdict[];
  problem: VerifyProblem | undefined;
  /** The scan, for --restore-test (undefined when reading failed). */
  scan: ArchiveScan | undefined;
}

/** Remembers the entry being read and the last bytes of every `.sql` entry. */
class Watch implements EntryWatch {
  current: string | undefined;
  readonly tails = new Map<string, Buffer>();
  /** The workspaces whose `.meta` entry was seen (pmadmin and ProcessMaker write them first). */
  readonly metas: string[] = [];
  private tail: Buffer | undefined;

  start(header: RawEntry): void {
    this.current = normalizeEntryPath(header.path);
    const meta = /(?:^|\/)([^/]+)\.meta$/.exec(this.current);
    if (meta?.[1] !== undefined) this.metas.push(meta[1]);
    this.tail = this.current.endsWith(".sql") ? Buffer.alloc(0) : undefined;
    if (this.tail) this.tails.set(this.current, this.tail);
  }

  data(chunk: Buffer): void {
    if (this.tail === undefined || this.current === undefined) return;
    // Only the last TAIL bytes are kept (a copy: the chunk's buffer is reused upstream).
    const joined = chunk.length >= TAIL ? chunk : Buffer.concat([this.tail, chunk]);
    this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - TAIL)));
    this.tails.set(this.current, this.tail);
  }
}

/** Whether a dump's last bytes show it was written to its end. */
export function dumpComplete(tail: Buffer): boolean {
  const lines = tail
    .toString("latin1")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const last = lines.at(-1) ?? "";
  return last.startsWith("-- Dump completed") || /SET SQL_NOTES=@OLD_SQL_NOTES \*\/;$/.test(last);
}

function fromError(error: PmError, entry: string): VerifyProblem {
  return { code: error.code, entry, message: error.message };
}

function codeOf(error: unknown): string {
  const c = (error as { code?: unknown }).code;
  return typeof c === "string" ? c : "RESTORE.CORRUPT";
}

/** The entry an error names (the manifest check says which), else `fallback`. */
function namedEntry(error: unknown, fallback: string | undefined): string | undefined {
  const e = (error as { details?: { entry?: unknown } }).details?.entry;
  return typeof e === "string" ? e : fallback;
}

interface Found {
  name: string;
  metaPath: string;
  dumpDir: string;
  filesRoot: string;
  meta: PmMeta | undefined;
}

function workspacesOf(scan: ArchiveScan): { found: Found[]; problem: VerifyProblem | undefined } {
  const metas = new Map<string, PmMeta>();
  let problem: VerifyProblem | undefined;
  for (const [p, text] of scan.metas) {
    try {
      metas.set(p, decodeMeta(text, normalizeEntryPath(p).replace(/^.*\//, "").slice(0, -5)));
    } catch (error) {
      if (!(error instanceof MetaError)) throw error;
      problem ??= {
        code: "RESTORE.BAD_META",
        entry: normalizeEntryPath(p),
        message: `The archive entry ${normalizeEntryPath(p)} does not decode: ${error.message}.`,
      };
    }
  }
  const layouts = findWorkspaces(scan.metaEntries ?? [], (p) => metas.get(p)?.directories ?? []);
  const found = layouts.map((l) => ({ ...l, meta: metas.get(l.metaPath) }));
  return { found, problem };
}

/** Every dump the archive's metas name: entry path → database name and meta. */
export function dumpsOf(scan: ArchiveScan): Map<string, { name: string; meta: PmMeta }> {
  const out = new Map<string, { name: string; meta: PmMeta }>();
  for (const f of workspacesOf(scan).found)
    for (const d of f.meta?.databases ?? [])
      if (f.meta) out.set(`${f.dumpDir}${d.name}.sql`, { name: d.name, meta: f.meta });
  return out;
}

/** The verdict of each workspace once the archive was read to its end. */
async function judge(
  scan: ArchiveScan,
  watch: Watch,
  earlier: VerifyProblem | undefined,
): Promise<{ workspaces: WorkspaceVerdict[]; problem: VerifyProblem | undefined }> {
  const { found, problem: metaProblem } = workspacesOf(scan);
  let problem = earlier ?? metaProblem;
  if (found.length === 0 && problem === undefined) {
    problem = {
      code: "RESTORE.NO_METADATA",
      entry: undefined,
      message: "The archive holds no workspace metadata (<ws>.meta).",
    };
  }
  const counts = new Map<string, number>();
  for await (const e of scan.entries) {
    const p = normalizeEntryPath(e.path);
    const ws = found.find((f) => p === f.filesRoot || p.startsWith(`${f.filesRoot}/`));
    if (ws) counts.set(ws.name, (counts.get(ws.name) ?? 0) + 1);
  }
  const workspaces: WorkspaceVerdict[] = [];
  for (const f of found) {
    const at = problem?.entry;
    let bad =
      f.meta === undefined ||
      (at !== undefined &&
        (at === normalizeEntryPath(f.metaPath) ||
          at.startsWith(`${f.filesRoot}/`) ||
          (f.meta?.databases ?? []).some((d) => at === `${f.dumpDir}${d.name}.sql`)));
    const databases = (f.meta?.databases ?? []).map((d) => {
      const entry = `${f.dumpDir}${d.name}.sql`;
      const tail = watch.tails.get(entry);
      const complete = tail !== undefined && dumpComplete(tail);
      if (!complete) {
        bad = true;
        problem ??= fromError(
          tail === undefined
            ? failure(
                "RESTORE.DUMP_MISSING",
                `The dump ${entry} named by ${f.metaPath} is not in the archive.`,
              )
            : failure(
                "VERIFY.DUMP_INCOMPLETE",
                `The dump ${entry} is incomplete: it does not end with the dump's completion line.`,
              ),
          entry,
        );
      }
      return { name: d.name, complete };
    });
    workspaces.push({
      name: f.name,
      verdict: bad ? "damaged" : "sound",
      databases,
      entries: counts.get(f.name) ?? 0,
    });
  }
  return { workspaces, problem };
}

/** Reads and checks the whole archive. `workDir`: a private directory the caller removes. */
export async function verifyArchive(
  src: ArchiveSource,
  o: { workDir: string; signal?: AbortSignal | undefined },
): Promise<VerifyResult> {
  const base = {
    file: src.file,
    encrypted: src.encrypted === true,
    gzip: src.gzip,
    bytes: src.bytes,
  };
  const watch = new Watch();
  let scan: ArchiveScan;
  try {
    scan = await scanArchive(src, o.workDir, o.signal, watch);
  } catch (error) {
    if (codeOf(error) === "INTERRUPTED") throw error;
    const entry = namedEntry(error, watch.current);
    const message =
      errorMessage(error) +
      (entry && !errorMessage(error).includes(entry) ? ` (while reading ${entry})` : "");
    return {
      ...base,
      ok: false,
      entries: 0,
      manifest: "failed",
      // A restore reads the whole archive first: none of its workspaces can be restored from it.
      workspaces: watch.metas.map((name) => ({
        name,
        verdict: "damaged" as const,
        databases: [],
        entries: 0,
      })),
      problem: { code: codeOf(error), entry, message },
      scan: undefined,
    };
  }
  let count = 0;
  for await (const _ of scan.entries) count += 1;
  let manifest: VerifyResult["manifest"] = "absent";
  let problem: VerifyProblem | undefined;
  try {
    manifest = (await verifyManifest(scan)).present ? "verified" : "absent";
  } catch (error) {
    manifest = "failed";
    const message = errorMessage(error);
    problem = { code: codeOf(error), entry: namedEntry(error, undefined), message };
  }
  const { workspaces, problem: found } = await judge(scan, watch, problem);
  return {
    ...base,
    ok: found === undefined,
    entries: count,
    manifest,
    workspaces,
    problem: found,
    scan,
  };
}
