// Pass 1 over the archive, before anything is written: every entry's header and SHA-256, the meta
// entries' text and pmadmin's manifest. Proves the archive is readable to its end.
//
// Memory stays flat however many entries the archive holds: the entry records go to a spool file
// in the restore's private work directory (read back in archive order by the plan and by pass 2),
// and so does the manifest's text (verified by streaming it: archive/read/manifest-verify.ts).
// Only the metas (a few KB each) and the few hard links' targets are kept.
import { createHash } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import { MANIFEST_NAME } from "../archive/manifest.js";
import { errorMessage, failure } from "../errors.js";
import type { ArchiveSource } from "../archive/read/source.js";
import { entryText, readArchive, type EntryStream } from "../archive/read/reader.js";
import { EntrySpoolWriter, type EntrySource } from "../archive/read/entry-spool.js";
import type { ScannedManifest } from "../archive/read/manifest-verify.js";
import { restoreWriteFailure } from "./write-failure.js";
import { kindOf, normalizeEntryPath, type EntryKind, type RawEntry } from "./layout.js";

const MANIFEST_LIMIT = 256 * 1024 * 1024;

export interface ArchiveScan {
  /** Every entry, in archive order (an array, or the spool pass 1 wrote). */
  entries: EntrySource;
  /** Meta entry path → text. */
  metas: Map<string, string>;
  /** The headers of the `.meta` file entries, in archive order (else found in `entries`). */
  metaEntries?: RawEntry[];
  /** Normalized targets of the archive's hard links (else found in `entries`). */
  hardlinkTargets?: ReadonlySet<string>;
  manifest: ScannedManifest | undefined;
  totalBytes: number;
}

/** pmadmin's manifest entry at the archive root (written by workspace-backup). */
export function isManifestPath(p: string): boolean {
  return normalizeEntryPath(p) === MANIFEST_NAME;
}

/** Sees every entry as pass 1 reads it (backups verify: where a failure happened, dump tails). */
export interface EntryWatch {
  start(header: RawEntry): void;
  /** The content of entries other than metas and the manifest, chunk by chunk. */
  data(chunk: Buffer): void;
}

/** What pass 1 keeps besides the spooled entry records. */
class Pass1 {
  readonly metas = new Map<string, string>();
  readonly metaEntries: RawEntry[] = [];
  readonly hardlinkTargets = new Set<string>();
  manifest: ScannedManifest | undefined;
  totalBytes = 0;
  private manifests = 0;

  constructor(
    private readonly workDir: string,
    private readonly spool: EntrySpoolWriter,
    private readonly watch: EntryWatch | undefined,
  ) {}

  /** The handler of every entry: hashes it, keeps what later steps need, spools its record. */
  readonly take = async (header: RawEntry, e: EntryStream): Promise<void> => {
    const p = normalizeEntryPath(header.path);
    const kind = kindOf(header.type);
    this.watch?.start(header);
    if (kind === "file" && isManifestPath(p)) await this.manifestEntry(header, e);
    else if (kind === "file" && p.endsWith(".meta")) await this.metaEntry(header, e);
    else await this.otherEntry(header, e, kind);
    this.totalBytes += header.size;
    this.spool.add(header);
  };

  // The manifest lists every entry (about 200 bytes each): ~200 MB for a million files.
  // It goes to a file, hashed on the way, and is verified later by streaming it.
  private async manifestEntry(header: RawEntry, e: EntryStream): Promise<void> {
    const file = path.join(this.workDir, `manifest-${this.manifests}.json`);
    this.manifests += 1;
    const fd = openSync(file, "wx", 0o600);
    const h = createHash("sha256");
    let n = 0;
    try {
      for await (const c of e) {
        const b: Buffer = c;
        n += b.length;
        if (n > MANIFEST_LIMIT)
          throw failure(
            "RESTORE.CORRUPT",
            `The archive entry ${e.path} is too large for metadata.`,
          );
        h.update(b);
        let off = 0;
        while (off < b.length) off += writeSync(fd, b, off);
      }
    } finally {
      closeSync(fd);
    }
    header.sha256 = h.digest("hex");
    this.manifest = { path: header.path, file, bytes: n };
  }

  private async metaEntry(header: RawEntry, e: EntryStream): Promise<void> {
    const text = await entryText(e);
    header.sha256 = createHash("sha256").update(text, "utf8").digest("hex");
    this.metas.set(header.path, text);
    this.metaEntries.push(header);
  }

  private async otherEntry(header: RawEntry, e: EntryStream, kind: EntryKind): Promise<void> {
    const h = createHash("sha256");
    let n = 0;
    for await (const c of e) {
      h.update(c);
      n += c.length;
      this.watch?.data(c);
    }
    if (n !== header.size && kind === "file") {
      throw failure(
        "RESTORE.CORRUPT",
        `The archive entry ${header.path} is shorter than its header says.`,
      );
    }
    header.sha256 = h.digest("hex");
    if (kind === "hardlink" && header.linkpath !== undefined)
      this.hardlinkTargets.add(normalizeEntryPath(header.linkpath));
  }
}

/** `workDir`: a private directory (mode 0700) for the spool files; the caller removes it. */
export async function scanArchive(
  src: ArchiveSource,
  workDir: string,
  signal?: AbortSignal,
  watch?: EntryWatch,
): Promise<ArchiveScan> {
  const spool = new EntrySpoolWriter(path.join(workDir, "entries.jsonl"));
  const pass = new Pass1(workDir, spool, watch);
  let entries: EntrySource = [];
  let scanError: unknown;
  try {
    await readArchive(src, pass.take, signal);
  } catch (error) {
    scanError = error;
  }
  // Closed on failure too (the caller removes the work directory); a failure to write its last
  // records (the temp dir is full) counts unless the scan failed first.
  try {
    entries = spool.close();
  } catch (error) {
    scanError ??= error;
  }
  if (scanError !== undefined) {
    throw (
      restoreWriteFailure(scanError, "the archive's entry records", workDir) ??
      (scanError instanceof Error ? scanError : new Error(errorMessage(scanError)))
    );
  }
  return {
    entries,
    metas: pass.metas,
    metaEntries: pass.metaEntries,
    hardlinkTargets: pass.hardlinkTargets,
    manifest: pass.manifest,
    totalBytes: pass.totalBytes,
  };
}
