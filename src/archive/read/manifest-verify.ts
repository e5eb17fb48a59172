// Verifying pmadmin's manifest (../manifest.ts, written by workspace-backup) against what
// a restore's pass 1 hashed: every entry listed must be present with the same size and SHA-256, and no entry
// may be present that the manifest does not list.
//
// Streamed: the manifest's entries (in archive order, as workspace-backup writes them) are read one
// at a time and compared in lockstep with pass 1's entry records, so neither is held in memory.
// The first problem is reported with the priority a whole-document check gives: a JSON syntax
// error, then the manifest's other fields, then a malformed entry, then a checksum mismatch.
import { createReadStream } from "node:fs";
import { readManifest } from "../manifest-read.js";
import { failure } from "../../errors.js";
import type { Platform } from "../../runtime.js";
import { entryCursor, type EntrySource } from "./entry-spool.js";
import { normalizeEntryPath } from "./entry.js";

/** pmadmin's manifest as read by pass 1: its text (tests, small archives) or a spool file. */
export type ScannedManifest =
  { path: string; text: string } | { path: string; file: string; bytes: number };

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
      details: { entry: name },
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

/** `scan`: the archive's manifest (if any) and every entry pass 1 read, in archive order. */
export async function verifyManifest(scan: {
  manifest: ScannedManifest | undefined;
  entries: EntrySource;
}): Promise<ManifestCheck> {
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
  let verified = 0;
  try {
    const m = await readManifest(manifestChunks(scan.manifest), async (want) => {
      const e = await nextEntry();
      if (e === undefined) return mismatch(want.name, "listed in the pmadmin manifest is missing");
      const name = normalizeEntryPath(e.path);
      if (name !== want.name) return mismatch(name, "is not listed in the pmadmin manifest");
      if (want.size !== e.size || want.sha256 !== e.sha256)
        return mismatch(name, "does not match its checksum in the pmadmin manifest");
      verified += 1;
      return undefined;
    });
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
