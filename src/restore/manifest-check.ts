// Verifying pmadmin's manifest entry against what pass 1 hashed. The manifest format belongs to
// workspace-backup (src/archive/manifest.ts); until that lands this reads the obvious shape
// { platform?, entries|files: [{ path|name, size?, sha256 }] } and ignores what it does not know.
import { failure } from "../errors.js";
import type { Platform } from "../runtime.js";
import { normalizeEntryPath } from "./layout.js";
import type { ArchiveScan } from "./scan.js";

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

export function verifyManifest(scan: ArchiveScan): ManifestCheck {
  if (!scan.manifest) return { present: false, verified: 0, platform: undefined, formatVersion: undefined, serverVersion: undefined };
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(scan.manifest.text) as Record<string, unknown>;
  } catch {
    throw failure("RESTORE.BAD_MANIFEST", `The pmadmin manifest ${scan.manifest.path} is not valid JSON.`, { hint: "The backup is damaged; use another copy." });
  }
  const list = (Array.isArray(m["entries"]) ? m["entries"] : Array.isArray(m["files"]) ? m["files"] : []) as Array<Record<string, unknown>>;
  const byPath = new Map(scan.entries.map((e) => [normalizeEntryPath(e.path), e]));
  let verified = 0;
  for (const item of list) {
    const p = typeof item["path"] === "string" ? item["path"] : typeof item["name"] === "string" ? item["name"] : undefined;
    const sha = typeof item["sha256"] === "string" ? item["sha256"].toLowerCase() : undefined;
    if (!p || !sha) continue;
    const e = byPath.get(normalizeEntryPath(p));
    const size = typeof item["size"] === "number" ? item["size"] : undefined;
    if (!e || e.sha256 !== sha || (size !== undefined && size !== e.size)) {
      throw failure("RESTORE.CHECKSUM_MISMATCH", `The backup entry ${p} ${e ? "does not match its checksum" : "listed in the manifest is missing"}; nothing was restored.`, {
        hint: "The backup is damaged or was altered; use another copy.",
      });
    }
    verified += 1;
  }
  const server = m["serverVersion"] ?? m["server_version"];
  return {
    present: true,
    verified,
    platform: asPlatform(m["platform"]),
    formatVersion: typeof m["formatVersion"] === "number" ? m["formatVersion"] : typeof m["version"] === "number" ? m["version"] : undefined,
    serverVersion: typeof server === "string" ? server : undefined,
  };
}
