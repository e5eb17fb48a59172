// `-i`: what the archive holds, from pass 1 alone (nothing is written or connected to).
import type { ArchiveSource } from "./archive-source.js";
import { platformFromSystem } from "./meta-decode.js";
import { archiveWorkspaces } from "./plan.js";
import { relativeToRoot, kindOf } from "./layout.js";
import type { ArchiveScan } from "./scan.js";
import { verifyManifest } from "./manifest-check.js";

export interface ArchiveDescription {
  file: string;
  parts: number;
  bytes: number;
  compressed: boolean;
  checksums: "verified" | "absent";
  entriesVerified: number;
  workspaces: Array<{
    name: string;
    pmVersion: string | undefined;
    system: string | undefined;
    platform: string | undefined;
    database: string | undefined;
    databases: Array<{ name: string; bytes: number }>;
    files: number;
    fileBytes: number;
    engine: number;
  }>;
}

export function describeArchive(src: ArchiveSource, scan: ArchiveScan): ArchiveDescription {
  const manifest = verifyManifest(scan);
  return {
    file: src.file,
    parts: src.parts.length,
    bytes: src.bytes,
    compressed: src.gzip,
    checksums: manifest.present ? "verified" : "absent",
    entriesVerified: manifest.verified,
    workspaces: archiveWorkspaces(scan).map(({ layout, meta }) => {
      const inRoot = scan.entries.filter(
        (e) => relativeToRoot(layout.filesRoot, e.path) !== undefined && kindOf(e.type) !== "dir",
      );
      return {
        name: layout.name,
        pmVersion: meta.pmVersion,
        system: meta.system,
        platform: manifest.platform ?? platformFromSystem(meta.system),
        database: meta.databaseVersion,
        databases: meta.databases.map((d) => ({
          name: d.name,
          bytes:
            scan.entries.find((e) => e.path.endsWith(`${layout.dumpDir}${d.name}.sql`))?.size ?? 0,
        })),
        files: inRoot.length,
        fileBytes: inRoot.reduce((s, e) => s + e.size, 0),
        engine: meta.engine,
      };
    }),
  };
}
