// Verifying pmadmin's manifest (src/archive/manifest.ts, written by workspace-backup) against what
// pass 1 hashed: every entry listed must be present with the same size and SHA-256, and no entry
// may be present that the manifest does not list.
//
// Streamed: the manifest's entries (in archive order, as workspace-backup writes them) are read one
// at a time and compared in lockstep with pass 1's entry records, so neither is held in memory.
// The first problem is reported with the priority a whole-document check gives: a JSON syntax
// error, then the manifest's other fields, then a malformed entry, then a checksum mismatch.
import { createReadStream } from "node:fs";
import {
  checkManifestHead,
  MANIFEST_NAME,
  manifestEntryProblem,
  ManifestEntriesSplitter,
  notJson,
  type ManifestEntry,
} from "../archive/manifest.js";
import { failure } from "../errors.js";
import type { Platform } from "../runtime.js";
import { entryCursor } from "./entry-spool.js";
import { normalizeEntryPath } from "./layout.js";
import type { ArchiveScan, ScannedManifest } from "./scan.js";

export { MANIFEST_NAME };

export interface ManifestCheck {
  present: boolean;
  verified: number;
  platform: Platform | undefined;
  formatVersion: number | undefined;
  serverVersion: string | undefined;
}

function asPlatform(v: unknown): Platform | undefined {
  const s = typeof v === "string" ? v.toLowerCase() : "";
  if (s === "linux") return "linux";
  if (s === "win32" || s === "windows" || s === "winnt") return "win32";
  if (s === "darwin") return "darwin";
  return undefined;
}

function mismatch(name: string, why: string): Error {
  return failure(
    "RESTORE.CHECKSUM_MISMATCH",
    `The backup entry ${name} ${why}; nothing was restored.`,
    {
      hint: "The backup is damaged or was altered; use another copy.",
    },
  );
}

async function* manifestChunks(m: ScannedManifest): AsyncGenerator<string> {
  if ("text" in m) {
    yield m.text;
    return;
  }
  for await (const c of createReadStream(m.file, { encoding: "utf8", highWaterMark: 1 << 20 }))
    yield c as string;
}

export async function verifyManifest(scan: ArchiveScan): Promise<ManifestCheck> {
  if (!scan.manifest)
    return {
      present: false,
      verified: 0,
      platform: undefined,
      formatVersion: undefined,
      serverVersion: undefined,
    };
  const own = normalizeEntryPath(scan.manifest.path);
  const archive = entryCursor(scan.entries);
  const nextEntry = async () => {
    for (;;) {
      const e = await archive.next();
      if (e === undefined || normalizeEntryPath(e.path) !== own) return e;
    }
  };
  const splitter = new ManifestEntriesSplitter();
  let malformed: Error | undefined;
  let mismatched: Error | undefined;
  let verified = 0;
  try {
    for await (const chunk of manifestChunks(scan.manifest)) {
      for (const raw of splitter.feed(chunk)) {
        malformed ??= manifestEntryProblem(raw);
        if (malformed || mismatched) continue;
        const want = raw as ManifestEntry;
        const e = await nextEntry();
        if (e === undefined) {
          mismatched = mismatch(want.name, "listed in the pmadmin manifest is missing");
          continue;
        }
        const name = normalizeEntryPath(e.path);
        if (name !== want.name) {
          mismatched = mismatch(name, "is not listed in the pmadmin manifest");
          continue;
        }
        if (want.size !== e.size || want.sha256 !== e.sha256) {
          mismatched = mismatch(name, "does not match its checksum in the pmadmin manifest");
          continue;
        }
        verified += 1;
      }
    }
    const headText = splitter.end();
    if (splitter.syntaxError !== undefined) throw notJson(splitter.syntaxError);
    let head: unknown;
    try {
      head = JSON.parse(headText);
    } catch (error) {
      throw notJson((error as Error).message);
    }
    const m = checkManifestHead(head);
    if (malformed) throw malformed;
    if (mismatched) throw mismatched;
    const extra = await nextEntry();
    if (extra)
      throw mismatch(normalizeEntryPath(extra.path), "is not listed in the pmadmin manifest");
    return {
      present: true,
      verified,
      platform: asPlatform(m.platform),
      formatVersion: m.formatVersion,
      serverVersion: m.server.version,
    };
  } finally {
    await archive.close();
  }
}
