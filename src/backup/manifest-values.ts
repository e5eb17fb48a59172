// The values pmadmin's manifest holds (archive/manifest.ts), built by pure functions from what
// the backup prepared and what the dumps contained, like meta-values.ts does for the meta.
import {
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  type Manifest,
  type ManifestDatabase,
  type ManifestWorkspace,
} from "../archive/manifest.js";
import type { DumpSummary } from "./dump-scanner.js";
import { DUMP_CHARSET } from "./dump.js";
import type { PreparedDatabase } from "./prepare.js";

/** One database's record: its server, character sets, dump program and what the dump holds. */
export function manifestDatabase(
  d: PreparedDatabase,
  s: DumpSummary,
  dumpProgram: string,
): ManifestDatabase {
  return {
    role: d.role,
    name: d.endpoint.name,
    sqlEntry: `${d.endpoint.name}.sql`,
    server: {
      flavor: d.inventory.server.flavor,
      version: d.inventory.server.version,
      lowerCaseTableNames: d.inventory.server.lowerCaseTableNames,
    },
    dumpCharset: s.charset ?? DUMP_CHARSET,
    defaultCharset: d.inventory.defaultCharset,
    defaultCollation: d.inventory.defaultCollation,
    dumpProgram,
    tables: Object.fromEntries([...s.tables].sort(([a], [b]) => (a < b ? -1 : 1))),
    views: [...s.views].sort(),
    triggers: [...s.triggers].sort(),
    routines: [...s.routines].sort(),
    events: [...s.events].sort(),
  };
}

/** The manifest without its entries (the entry log streams those, archive/manifest-log.ts). */
export function manifestHead(o: {
  pmadminVersion: string;
  createdAt: Date;
  platform: string;
  os: string;
  workspaces: ManifestWorkspace[];
}): Omit<Manifest, "entries"> {
  const first = o.workspaces[0]?.databases[0]?.server;
  return {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_VERSION,
    pmadminVersion: o.pmadminVersion,
    createdAt: o.createdAt.toISOString(),
    platform: o.platform,
    os: o.os,
    server: first ?? { flavor: "", version: "", lowerCaseTableNames: 0 },
    workspaces: o.workspaces,
  };
}
