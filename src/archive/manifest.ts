// The pmadmin manifest: one JSON entry at the archive root, written last, that describes the
// archive so a restore can refuse what it should not load (other platform, case-folding server)
// and prove what it extracted is what was written (size + SHA-256 of every other entry).
//
// This file holds its name, version and shape. Written by manifest-log.ts (entries spooled while
// the archive is written), read by manifest-read.ts (streamed, never held whole), checked by
// manifest-validate.ts.
//
// Entry names are exactly the tar entry names ('/' separated, no trailing '/'). Directories and
// symbolic links have size 0 and the SHA-256 of empty content; links carry `linkname`.

export const MANIFEST_NAME = "pmadmin-manifest.json";
export const MANIFEST_FORMAT = "pmadmin-backup";
export const MANIFEST_VERSION = 1;

export interface ManifestEntry {
  name: string;
  type: "file" | "directory" | "symlink";
  size: number;
  sha256: string;
  /** Permission bits (st_mode & 0o7777). */
  mode: number;
  linkname?: string;
}

export interface ManifestServer {
  /** "MariaDB" or "MySQL". */
  flavor: string;
  /** SELECT VERSION(), e.g. "10.11.19-MariaDB-0+deb12u1". */
  version: string;
  /** @@lower_case_table_names of the source server: 0 keeps ProcessMaker's upper-case names. */
  lowerCaseTableNames: number;
}

export interface ManifestDatabase {
  /** "wf" (3.x single database) or "wf"/"rp"/"rb" (2.x layouts). */
  role: string;
  name: string;
  /** The tar entry holding the dump, "<name>.sql". */
  sqlEntry: string;
  server: ManifestServer;
  /** Character set the dump was written in (its SET NAMES). */
  dumpCharset: string;
  /** The database's default character set and collation on the source server. */
  defaultCharset: string;
  defaultCollation: string;
  /** Program and version that wrote the dump, e.g. "mariadb-dump Ver 10.19 Distrib 10.11.19-MariaDB". */
  dumpProgram: string;
  /** Rows per base table, counted in the dump itself (the snapshot that was archived). */
  tables: Record<string, number>;
  views: string[];
  triggers: string[];
  routines: string[];
  events: string[];
}

export interface ManifestWorkspace {
  name: string;
  /** "<ws>.meta" */
  metaEntry: string;
  /** "<ws>.files": the sites/<ws> tree lives under this prefix. */
  filesPrefix: string;
  files: { count: number; directories: number; symlinks: number; bytes: number };
  databases: ManifestDatabase[];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: number;
  pmadminVersion: string;
  /** ISO-8601 time the backup started. */
  createdAt: string;
  /** Platform that made it: "linux" | "darwin" | "win32" (same-platform restore rule). */
  platform: string;
  /** OS description, as in the meta's SYSTEM. */
  os: string;
  /** Server of the first workspace's first database (every database also has its own). */
  server: ManifestServer;
  workspaces: ManifestWorkspace[];
  /** Every entry of the archive except the manifest itself, in archive order. */
  entries: ManifestEntry[];
}
