// Preflight decisions (pure): which workspace, under which name, into which databases, and every
// refusal the contract asks for — all decided before the first write.
import { countEntry, noFiles, type FileCounts } from "../fsx/counts.js";
import { failure, refused, usage } from "../errors.js";
import { workspaceNameProblem } from "../install/names.js";
import type { Platform } from "../runtime.js";
import type { EntrySource } from "../archive/read/entry-spool.js";
import {
  FilePlanner,
  findWorkspaces,
  hardlinkTargetsOf,
  kindOf,
  normalizeEntryPath,
  type PlannedEntry,
  type RawEntry,
  type WorkspaceLayout,
} from "./layout.js";
import { decodeMeta, MetaError, platformFromSystem, type PmMeta } from "../archive/meta.js";
import type { ArchiveScan } from "./scan.js";
import { verifyManifest, type ManifestCheck } from "../archive/read/manifest-verify.js";
import { decideNames } from "./plan-names.js";

export interface RestoreOptions {
  sourceWorkspace: string | undefined;
  newName: string | undefined;
  overwrite: boolean;
  allowCrossPlatform: boolean;
}

/** What a workspace's db.php names on the server. */
export interface LiveDbPhp {
  /** Its distinct databases in ProcessMaker's order: wf, rp, rb (one for 3.x). */
  databases: Array<{ role: "wf" | "rp" | "rb"; name: string }>;
  user: string;
  password: string;
  /** Every DB_* define, verbatim (copied into the restored db.php on -o). */
  values: Record<string, string>;
}

export interface SiteInfo {
  name: string;
  /** undefined when sites/<name>/db.php is missing or cannot be parsed. */
  db: LiveDbPhp | undefined;
}

export interface AccountInfo {
  user: string;
  host: string;
  /** Holds some privilege ON *.* (beyond USAGE): not a workspace's account. */
  global: boolean;
}

export interface TargetState {
  platform: Platform;
  lowerCaseTableNames: number;
  /** Directory names under sites/. */
  siteDirs: readonly string[];
  /** The site directories with what their db.php names (default: none readable). */
  sites?: readonly SiteInfo[];
  /** The server's accounts (default: none known). */
  accounts?: readonly AccountInfo[];
  databases: readonly string[];
  freeBytes: number | undefined;
}

/**
 * The database account the restored workspace uses, decided by pmadmin and never by the archive:
 * a new account for a new workspace, the one the live db.php names when replacing it.
 */
export type AccountPlan =
  | { kind: "new" }
  | {
      kind: "live";
      user: string;
      password: string;
      definerHost: string;
      values: Record<string, string>;
    };

export interface DatabasePlan {
  source: string;
  target: string;
  sqlPath: string;
  sqlBytes: number;
}

export interface RestorePlan {
  layout: WorkspaceLayout;
  meta: PmMeta;
  target: string;
  renaming: boolean;
  /** The target workspace exists and will be replaced. */
  replacing: boolean;
  databases: DatabasePlan[];
  account: AccountPlan;
  /** How many entries go into the workspace directory (listed again by plannedFiles()). */
  fileCount: number;
  /** The archive has an entry for the workspace directory itself. */
  hasRootEntry: boolean;
  fileBytes: number;
  /** What the workspace directory will hold, counted as every command counts (fsx/counts.ts). */
  files: FileCounts;
  platform: Platform | undefined;
  warnings: string[];
  manifest: ManifestCheck;
}

export interface ArchiveWorkspace {
  layout: WorkspaceLayout;
  meta: PmMeta;
}

async function* each(entries: EntrySource): AsyncGenerator<RawEntry> {
  for await (const e of entries) yield e;
}

async function hardlinkTargets(scan: ArchiveScan): Promise<ReadonlySet<string>> {
  if (scan.hardlinkTargets) return scan.hardlinkTargets;
  const links: RawEntry[] = [];
  for await (const e of each(scan.entries)) if (kindOf(e.type) === "hardlink") links.push(e);
  return hardlinkTargetsOf(links);
}

/**
 * The entries of the workspace directory `root`, checked (RESTORE.UNSAFE_ENTRY) and in archive
 * order, read again from the scan each time: the plan counts them, pass 2 writes them.
 */
export async function* plannedFiles(scan: ArchiveScan, root: string): AsyncGenerator<PlannedEntry> {
  const planner = new FilePlanner(root, await hardlinkTargets(scan));
  for await (const e of each(scan.entries)) {
    const p = planner.add(e);
    if (p) yield p;
  }
}

/** A planner for pass 2, which feeds it the scan's entries itself, in lockstep with the archive. */
export async function filePlanner(scan: ArchiveScan, root: string): Promise<FilePlanner> {
  return new FilePlanner(root, await hardlinkTargets(scan));
}

/** Decodes every meta of the scanned archive. */
export async function archiveWorkspaces(scan: ArchiveScan): Promise<ArchiveWorkspace[]> {
  const metas = new Map<string, PmMeta>();
  for (const [p, text] of scan.metas) {
    const name =
      normalizeEntryPath(p)
        .split("/")
        .pop()
        ?.replace(/\.meta$/, "") ?? "";
    try {
      metas.set(p, decodeMeta(text, name));
    } catch (error) {
      const why = error instanceof MetaError ? error.message : String(error);
      throw failure("RESTORE.BAD_META", `The archive's ${p} cannot be read: ${why}.`);
    }
  }
  let metaEntries = scan.metaEntries;
  if (!metaEntries) {
    metaEntries = [];
    for await (const e of each(scan.entries))
      if (kindOf(e.type) === "file" && normalizeEntryPath(e.path).endsWith(".meta"))
        metaEntries.push(e);
  }
  const layouts = findWorkspaces(metaEntries, (p) => metas.get(p)?.directories ?? []);
  return layouts.map((layout) => ({ layout, meta: metas.get(layout.metaPath) as PmMeta }));
}

function pickWorkspace(
  all: readonly ArchiveWorkspace[],
  wanted: string | undefined,
): ArchiveWorkspace {
  if (all.length === 0) {
    throw failure("RESTORE.NO_METADATA", "No workspace metadata (<ws>.meta) found in the backup.", {
      hint: "This is not a ProcessMaker 3 or pmadmin workspace backup.",
    });
  }
  const names = all.map((w) => w.layout.name);
  if (wanted === undefined) {
    if (all.length > 1) {
      throw usage(
        "RESTORE.WHICH_WORKSPACE",
        `The backup holds several workspaces (${names.join(", ")}).`,
        {
          hint: "Choose one with -w <workspace>.",
        },
      );
    }
    return all[0] as ArchiveWorkspace;
  }
  const hit = all.find((w) => w.layout.name === wanted);
  if (!hit)
    throw usage(
      "RESTORE.NOT_IN_ARCHIVE",
      `Workspace '${wanted}' is not in the backup; it holds ${names.join(", ")}.`,
    );
  return hit;
}

const lower = (s: string): string => s.toLowerCase();

/**
 * The plan, and every refusal before the first write, in this order: the archive's workspace and
 * format, the target's name, the platform, the server, the workspace already there, the dumps, the
 * names pmadmin gives the databases and the account, the files and the space to stage them.
 */
export async function planRestore(
  scan: ArchiveScan,
  opts: RestoreOptions,
  state: TargetState,
): Promise<RestorePlan> {
  const warnings: string[] = [];
  const manifest = await verifyManifest(scan);
  const { layout, meta } = pickWorkspace(await archiveWorkspaces(scan), opts.sourceWorkspace);
  assertSupportedFormat(meta);
  const renaming = opts.newName !== undefined;
  const target = opts.newName ?? layout.name;
  assertValidTargetName(target, renaming);
  const platform = manifest.platform ?? platformFromSystem(meta.system);
  warnings.push(...platformWarnings(platform, meta, state, opts));
  assertCaseSensitiveServer(state);
  const replacing = existingWorkspace(target, state, opts);
  const sources = sourceDatabases(meta, layout);
  const dumps = await dumpEntries(scan, layout, sources);
  const names = decideNames({ sources, target, replacing, overwrite: opts.overwrite, state });
  warnings.push(...names.warnings);
  const databases = sources.map((source, i) =>
    databasePlan(source, names.targets[i] ?? "", layout, dumps),
  );
  const files = await countFiles(scan, layout);
  assertSpaceToStage(files.bytes, state);
  return {
    layout,
    meta,
    target,
    renaming,
    replacing,
    databases,
    account: names.account,
    fileCount: files.count,
    hasRootEntry: files.hasRootEntry,
    fileBytes: files.bytes,
    files: files.counts,
    platform,
    warnings,
    manifest,
  };
}

function assertSupportedFormat(meta: PmMeta): void {
  if (meta.version !== 1) {
    throw failure(
      "RESTORE.UNSUPPORTED_VERSION",
      `Backup format version ${meta.version} is not supported (only 1).`,
    );
  }
}

function assertValidTargetName(target: string, renaming: boolean): void {
  const problem = workspaceNameProblem(target);
  if (problem) {
    throw usage("WORKSPACE.BAD_NAME", `Invalid workspace name '${target}': ${problem}.`, {
      hint: renaming
        ? "Use 1 to 29 letters, digits or underscores."
        : "Restore it under a valid new name: add NEW-WORKSPACE.",
    });
  }
}

/** A backup from another OS is refused unless --allow-cross-platform; an unknown OS is assumed. */
function platformWarnings(
  platform: Platform | undefined,
  meta: PmMeta,
  state: TargetState,
  opts: RestoreOptions,
): string[] {
  if (platform === undefined)
    return [
      `the backup does not say which OS made it (SYSTEM: ${meta.system ?? "missing"}); assuming it matches this one`,
    ];
  if (platform === state.platform) return [];
  if (!opts.allowCrossPlatform) {
    throw refused(
      "RESTORE.CROSS_PLATFORM",
      `The backup was made on ${platform}; this host is ${state.platform}.`,
      {
        hint: "ProcessMaker does not support moving workspaces between operating systems. Add --allow-cross-platform to restore anyway.",
      },
    );
  }
  return [
    `--allow-cross-platform: a backup made on ${platform} restored on ${state.platform}: table-name case, line endings and file paths in the data may not match`,
  ];
}

function assertCaseSensitiveServer(state: TargetState): void {
  if (state.lowerCaseTableNames !== 0) {
    throw refused(
      "RESTORE.LOWER_CASE_TABLE_NAMES",
      `The database server has lower_case_table_names=${state.lowerCaseTableNames}; it would fold ProcessMaker's upper-case table names.`,
      {
        hint: "Restore onto a server with lower_case_table_names=0 (the Linux default).",
      },
    );
  }
}

/**
 * Whether the target workspace exists (and -o replaces it). One that differs only in letter case
 * is refused even with -o; the same name is refused without it.
 */
function existingWorkspace(target: string, state: TargetState, opts: RestoreOptions): boolean {
  const sameCase = state.siteDirs.filter((d) => lower(d) === lower(target));
  const exact = sameCase.includes(target);
  if (sameCase.length > 0 && !exact) {
    throw refused(
      "RESTORE.CASE_CONFLICT",
      `Workspace '${sameCase.join("', '")}' exists and differs from '${target}' only in letter case.`,
      {
        hint: opts.overwrite
          ? "Restore under the existing workspace's exact name, or choose another NEW-WORKSPACE."
          : "Choose another NEW-WORKSPACE name.",
      },
    );
  }
  if (exact && !opts.overwrite) {
    throw refused("RESTORE.WORKSPACE_EXISTS", `Workspace '${target}' already exists.`, {
      hint: "Add -o to overwrite it, or restore under another NEW-WORKSPACE name.",
    });
  }
  return exact;
}

/** The distinct databases the meta names, in its order. */
function sourceDatabases(meta: PmMeta, layout: WorkspaceLayout): string[] {
  const sources = meta.databases.map((d) => d.name).filter((n, i, all) => all.indexOf(n) === i);
  if (sources.length === 0)
    throw failure("RESTORE.DUMP_MISSING", `The metadata of '${layout.name}' names no database.`);
  return sources;
}

/** The first file entry at each dump's path (<dumpDir><database>.sql). */
async function dumpEntries(
  scan: ArchiveScan,
  layout: WorkspaceLayout,
  sources: readonly string[],
): Promise<Map<string, RawEntry>> {
  const found = new Map<string, RawEntry>();
  const wanted = new Set(sources.map((source) => `${layout.dumpDir}${source}.sql`));
  for await (const e of each(scan.entries)) {
    const p = normalizeEntryPath(e.path);
    if (wanted.has(p) && !found.has(p) && kindOf(e.type) === "file") found.set(p, e);
  }
  return found;
}

function databasePlan(
  source: string,
  target: string,
  layout: WorkspaceLayout,
  dumps: ReadonlyMap<string, RawEntry>,
): DatabasePlan {
  const sqlPath = `${layout.dumpDir}${source}.sql`;
  const entry = dumps.get(sqlPath);
  if (!entry)
    throw failure(
      "RESTORE.DUMP_MISSING",
      `The backup lacks ${sqlPath}, the dump of database ${source}.`,
    );
  return { source, target, sqlPath: entry.path, sqlBytes: entry.size };
}

/** Counts the workspace directory's entries (their checks run here); it must hold a db.php. */
async function countFiles(
  scan: ArchiveScan,
  layout: WorkspaceLayout,
): Promise<{ count: number; bytes: number; hasRootEntry: boolean; counts: FileCounts }> {
  const counts = noFiles();
  let count = 0;
  let bytes = 0;
  let hasDbPhp = false;
  let hasRootEntry = false;
  for await (const f of plannedFiles(scan, layout.filesRoot)) {
    count += 1;
    if (f.kind === "file") bytes += f.entry.size;
    if (f.rel === "db.php" && f.kind === "file") hasDbPhp = true;
    if (f.rel === "") hasRootEntry = true;
    else countEntry(counts, f.kind, f.entry.size);
  }
  if (!hasDbPhp) {
    throw failure(
      "RESTORE.NO_DB_PHP",
      `The backup's workspace directory ${layout.filesRoot}/ has no db.php.`,
    );
  }
  return { count, bytes, hasRootEntry, counts };
}

/** Staging holds a full copy next to the live workspace until the swap; keep 5% slack. */
function assertSpaceToStage(fileBytes: number, state: TargetState): void {
  if (state.freeBytes !== undefined && fileBytes * 1.05 + 16 * 1024 * 1024 > state.freeBytes) {
    throw refused(
      "RESTORE.NO_SPACE",
      `Staging needs about ${fileBytes} bytes next to sites/, but only ${state.freeBytes} are free.`,
      {
        hint: "Free some disk space on the shared directory's filesystem and try again.",
      },
    );
  }
}
