// `-i`: what the archive holds, from pass 1 alone (nothing is written or connected to).
import { countEntry, noFiles, type FileCounts } from "../fsx/counts.js";
import type { ArchiveSource } from "../archive/read/source.js";
import { platformFromSystem } from "../archive/meta.js";
import { archiveWorkspaces } from "./plan.js";
import { relativeToRoot, kindOf } from "./layout.js";
import type { ArchiveScan } from "./scan.js";
import { verifyManifest } from "../archive/read/manifest-verify.js";

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
    files: FileCounts;
    engine: number;
  }>;
}

export async function describeArchive(
  src: ArchiveSource,
  scan: ArchiveScan,
): Promise<ArchiveDescription> {
  const manifest = await verifyManifest(scan);
  const workspaces = await archiveWorkspaces(scan);
  // One read of the entries for all workspaces: their files (not directories) and dump sizes
  // (the first entry whose path ends in the dump's name).
  const tally = workspaces.map(({ layout, meta }) => ({
    files: noFiles(),
    dumps: meta.databases.map((d) => ({
      suffix: `${layout.dumpDir}${d.name}.sql`,
      bytes: undefined as number | undefined,
    })),
  }));
  for await (const e of scan.entries) {
    workspaces.forEach(({ layout }, k) => {
      const t = tally[k];
      if (!t) return;
      const rel = relativeToRoot(layout.filesRoot, e.path);
      if (rel !== undefined && rel !== "") countEntry(t.files, kindOf(e.type), e.size);
      for (const d of t.dumps)
        if (d.bytes === undefined && e.path.endsWith(d.suffix)) d.bytes = e.size;
    });
  }
  return {
    file: src.file,
    parts: src.parts.length,
    bytes: src.bytes,
    compressed: src.gzip,
    checksums: manifest.present ? "verified" : "absent",
    entriesVerified: manifest.verified,
    workspaces: workspaces.map(({ layout, meta }, k) => {
      const t = tally[k];
      return {
        name: layout.name,
        pmVersion: meta.pmVersion,
        system: meta.system,
        platform: manifest.platform ?? platformFromSystem(meta.system),
        database: meta.databaseVersion,
        databases: meta.databases.map((d, j) => ({
          name: d.name,
          bytes: t?.dumps[j]?.bytes ?? 0,
        })),
        files: t?.files ?? noFiles(),
        engine: meta.engine,
      };
    }),
  };
}
