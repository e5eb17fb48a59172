// Pass 1 over the archive, before anything is written: every entry's header and SHA-256, the meta
// entries' text and pmadmin's manifest. Proves the archive is readable to its end.
//
// Memory stays flat however many entries the archive holds: the entry records go to a spool file
// in the restore's private work directory (read back in archive order by the plan and by pass 2),
// and so does the manifest's text (verified by streaming it, manifest-check.ts). Only the metas
// (a few KB each) and the few hard links' targets are kept.
import { createHash } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import { MANIFEST_NAME } from "../archive/manifest.js";
import { errorMessage, failure } from "../errors.js";
import type { ArchiveSource } from "./archive-source.js";
import { entryText, readArchive } from "./archive-read.js";
import { EntrySpoolWriter, type EntrySource } from "./entry-spool.js";
import { restoreWriteFailure } from "./write-failure.js";
import { kindOf, normalizeEntryPath, type RawEntry } from "./layout.js";

const MANIFEST_LIMIT = 256 * 1024 * 1024;

/** pmadmin's manifest as read by pass 1: its text (tests, small archives) or a spool file. */
export type ScannedManifest =
  { path: string; text: string } | { path: string; file: string; bytes: number };

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

/** `workDir`: a private directory (mode 0700) for the spool files; the caller removes it. */
export async function scanArchive(
  src: ArchiveSource,
  workDir: string,
  signal?: AbortSignal,
): Promise<ArchiveScan> {
  const spool = new EntrySpoolWriter(path.join(workDir, "entries.jsonl"));
  const metas = new Map<string, string>();
  const metaEntries: RawEntry[] = [];
  const hardlinkTargets = new Set<string>();
  let manifest: ArchiveScan["manifest"];
  let manifests = 0;
  let totalBytes = 0;
  let entries: EntrySource = [];
  let scanError: unknown;
  try {
    await readArchive(
      src,
      async (header, e) => {
        const p = normalizeEntryPath(header.path);
        const kind = kindOf(header.type);
        if (kind === "file" && isManifestPath(p)) {
          // The manifest lists every entry (about 200 bytes each): ~200 MB for a million files.
          // It goes to a file, hashed on the way, and is verified later by streaming it.
          const file = path.join(workDir, `manifest-${manifests}.json`);
          manifests += 1;
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
          manifest = { path: header.path, file, bytes: n };
        } else if (kind === "file" && p.endsWith(".meta")) {
          const text = await entryText(e);
          header.sha256 = createHash("sha256").update(text, "utf8").digest("hex");
          metas.set(header.path, text);
          metaEntries.push(header);
        } else {
          const h = createHash("sha256");
          let n = 0;
          for await (const c of e) {
            h.update(c);
            n += c.length;
          }
          if (n !== header.size && kind === "file") {
            throw failure(
              "RESTORE.CORRUPT",
              `The archive entry ${header.path} is shorter than its header says.`,
            );
          }
          header.sha256 = h.digest("hex");
          if (kind === "hardlink" && header.linkpath !== undefined)
            hardlinkTargets.add(normalizeEntryPath(header.linkpath));
        }
        totalBytes += header.size;
        spool.add(header);
      },
      signal,
    );
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
    metas,
    metaEntries,
    hardlinkTargets,
    manifest,
    totalBytes,
  };
}
