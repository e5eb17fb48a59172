// Verifying pmadmin's manifest (src/archive/manifest.ts, written by workspace-backup) against what
// pass 1 hashed: every entry listed must be present with the same size and SHA-256, and no entry
// may be present that the manifest does not list.
import { MANIFEST_NAME, manifestEntryMap, parseManifest } from "../archive/manifest.js";
import { failure } from "../errors.js";
import type { Platform } from "../runtime.js";
import { normalizeEntryPath } from "./layout.js";
import type { ArchiveScan } from "./scan.js";

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

export function verifyManifest(scan: ArchiveScan): ManifestCheck {
  if (!scan.manifest)
    return {
      present: false,
      verified: 0,
      platform: undefined,
      formatVersion: undefined,
      serverVersion: undefined,
    };
  const m = parseManifest(scan.manifest.text);
  const listed = manifestEntryMap(m);
  const seen = new Set<string>();
  let verified = 0;
  for (const e of scan.entries) {
    const name = normalizeEntryPath(e.path);
    if (name === normalizeEntryPath(scan.manifest.path)) continue;
    const want = listed.get(name);
    if (!want) throw mismatch(name, "is not listed in the pmadmin manifest");
    if (want.size !== e.size || want.sha256 !== e.sha256)
      throw mismatch(name, "does not match its checksum in the pmadmin manifest");
    seen.add(name);
    verified += 1;
  }
  for (const name of listed.keys())
    if (!seen.has(name)) throw mismatch(name, "listed in the pmadmin manifest is missing");
  return {
    present: true,
    verified,
    platform: asPlatform(m.platform),
    formatVersion: m.formatVersion,
    serverVersion: m.server.version,
  };
}
