// Pass 1 over the archive, before anything is written: every entry's header and SHA-256, the meta
// entries' text and pmadmin's manifest. Proves the archive is readable to its end.
import { createHash } from "node:crypto";
import { MANIFEST_NAME } from "../archive/manifest.js";
import { failure } from "../errors.js";
import type { ArchiveSource } from "./archive-source.js";
import { entryText, readArchive } from "./archive-read.js";
import { kindOf, normalizeEntryPath, type RawEntry } from "./layout.js";

const MANIFEST_LIMIT = 256 * 1024 * 1024;

export interface ArchiveScan {
  entries: RawEntry[];
  /** Meta entry path → text. */
  metas: Map<string, string>;
  manifest: { path: string; text: string } | undefined;
  totalBytes: number;
}

/** pmadmin's manifest entry at the archive root (written by workspace-backup). */
export function isManifestPath(p: string): boolean {
  return normalizeEntryPath(p) === MANIFEST_NAME;
}

export async function scanArchive(src: ArchiveSource, signal?: AbortSignal): Promise<ArchiveScan> {
  const entries: RawEntry[] = [];
  const metas = new Map<string, string>();
  let manifest: ArchiveScan["manifest"];
  let totalBytes = 0;
  await readArchive(
    src,
    async (header, e) => {
      const p = normalizeEntryPath(header.path);
      const small = kindOf(header.type) === "file" && (p.endsWith(".meta") || isManifestPath(p));
      if (small) {
        // The manifest lists every entry (about 200 bytes each): a workspace of a million files
        // makes a manifest of ~200 MB (held in memory: it is parsed as one JSON). Metas are a few KB.
        const text = await entryText(e, isManifestPath(p) ? MANIFEST_LIMIT : undefined);
        header.sha256 = createHash("sha256").update(text, "utf8").digest("hex");
        if (isManifestPath(p)) manifest = { path: header.path, text };
        else metas.set(header.path, text);
      } else {
        const h = createHash("sha256");
        let n = 0;
        for await (const c of e) {
          h.update(c);
          n += c.length;
        }
        if (n !== header.size && kindOf(header.type) === "file") {
          throw failure(
            "RESTORE.CORRUPT",
            `The archive entry ${header.path} is shorter than its header says.`,
          );
        }
        header.sha256 = h.digest("hex");
      }
      totalBytes += header.size;
      entries.push(header);
    },
    signal,
  );
  return { entries, metas, manifest, totalBytes };
}
