// Where things are inside an archive (pure). Two layouts exist (processmaker-3.md §3.2, §3.5):
//   single-file: `<ws>.meta`, `<db>.sql`, `<ws>.files/…` at the root;
//   split (-s/-m): `<PATH_DATA>upgrade/<rand>/<ws>.meta`, `…/upgrade/<rand>/<db>.sql` and
//   `<PATH_DATA>sites/<ws>/…`, with PATH_DATA's leading '/' stripped by GNU tar.
// Every entry is checked here before anything is written: no absolute paths, no '..', no device
// files, links that resolve inside the workspace directory, nothing written through a link.
import { failure } from "../errors.js";
import {
  kindOf,
  normalizeEntryPath,
  type EntryKind,
  type RawEntry,
} from "../archive/read/entry.js";
export { kindOf, normalizeEntryPath, type EntryKind, type RawEntry };

export interface WorkspaceLayout {
  /** Workspace name from the meta entry's file name. */
  name: string;
  metaPath: string;
  /** Prefix of the `.sql` entries ("" for the single-file layout). */
  dumpDir: string;
  /** Archive path of the workspace directory, without trailing '/'. */
  filesRoot: string;
}

export function unsafeArchivePath(p: string): string | undefined {
  if (p.startsWith("/") || /^[A-Za-z]:/.test(p)) return "is an absolute path";
  if (p.split("/").includes("..")) return "contains '..'";
  if (p.includes("\0")) return "contains a NUL byte";
  return undefined;
}

/**
 * Why a symbolic link at `rel` (inside the workspace) with target `target` is refused, if it is.
 * Only the form `../../name/name` is accepted: some `..` first, then names. The `..` steps climb
 * real directories (nothing is ever written below a link, so every parent of `rel` is one) and
 * must stay inside the workspace; a `..` after a name is refused because that name may itself be
 * a link (`a/L1 -> ..` makes `L2 -> a/L1/a/L1/../..` point two levels above the workspace). Every
 * link of the archive then resolves inside the workspace, through any chain of links.
 */
export function linkTargetProblem(rel: string, target: string): string | undefined {
  if (target === "") return "is a link with an empty target";
  if (target.startsWith("/") || /^[A-Za-z]:/.test(target))
    return `is a link to an absolute path (${target})`;
  if (target.includes("\0")) return "has a NUL in its link";
  const parts = target.split("/").filter((c) => c !== "" && c !== ".");
  let ups = 0;
  while (parts[ups] === "..") ups += 1;
  if (parts.slice(ups).includes(".."))
    return `is a link that climbs back up after going down (${target}); an earlier component may be a link`;
  const depth = rel.split("/").length - 1;
  if (ups > depth) return `is a link pointing outside the workspace (${target})`;
  return undefined;
}

/** The archive entry is refused (RESTORE.UNSAFE_ENTRY, exit 1); nothing is swapped in. */
export function unsafe(entry: string, why: string): Error {
  return failure(
    "RESTORE.UNSAFE_ENTRY",
    `The archive entry '${entry}' ${why}; nothing was restored.`,
    {
      hint: "The archive was not made by ProcessMaker or pmadmin, or was tampered with. Inspect it with 'tar -tvf'.",
    },
  );
}

const SPLIT_META = /^(.*\/)?upgrade\/[^/]+\/([^/]+)\.meta$/;

/** Finds every workspace of the archive from its meta entries. */
export function findWorkspaces(
  entries: readonly RawEntry[],
  directories: (metaPath: string) => string[],
): WorkspaceLayout[] {
  const out: WorkspaceLayout[] = [];
  for (const e of entries) {
    const p = normalizeEntryPath(e.path);
    if (kindOf(e.type) !== "file" || !p.endsWith(".meta")) continue;
    if (!p.includes("/")) {
      const name = p.slice(0, -".meta".length);
      const dir = directories(e.path)[0] ?? `${name}.files`;
      out.push({ name, metaPath: e.path, dumpDir: "", filesRoot: normalizeEntryPath(dir) });
      continue;
    }
    const m = SPLIT_META.exec(p);
    if (m) {
      const prefix = m[1] ?? "";
      const name = m[2] ?? "";
      out.push({
        name,
        metaPath: e.path,
        dumpDir: p.slice(0, p.length - `${name}.meta`.length),
        filesRoot: `${prefix}sites/${name}`,
      });
    }
  }
  return out;
}

/** The path of `p` inside the workspace directory, or undefined when it lies elsewhere. */
export function relativeToRoot(root: string, p: string): string | undefined {
  const n = normalizeEntryPath(p);
  if (n === root) return "";
  return n.startsWith(`${root}/`) ? n.slice(root.length + 1) : undefined;
}

export interface PlannedEntry {
  entry: RawEntry;
  kind: EntryKind;
  /** Path inside the workspace directory ("" is the directory itself). */
  rel: string;
  /** For hard links: the target's path inside the workspace directory. */
  linkRel?: string;
}

/** The normalized targets of the hard links among `entries`. */
export function hardlinkTargetsOf(entries: Iterable<RawEntry>): Set<string> {
  const out = new Set<string>();
  for (const e of entries)
    if (kindOf(e.type) === "hardlink" && e.linkpath !== undefined)
      out.add(normalizeEntryPath(e.linkpath));
  return out;
}

/**
 * Checks the entries of the archive, fed one at a time in archive order, and returns those of one
 * workspace's directory. Throws RESTORE.UNSAFE_ENTRY (exit 1). Holds only the symbolic links seen
 * and, of the files, those some hard link of the archive points at (`hardlinkTargets`), so
 * memory does not grow with the number of files; the same entries always give the same result.
 */
export class FilePlanner {
  private readonly links = new Set<string>();
  private readonly files = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly hardlinkTargets: ReadonlySet<string>,
  ) {}

  add(e: RawEntry): PlannedEntry | undefined {
    const { root, links, files } = this;
    const why =
      unsafeArchivePath(e.path) ??
      (e.linkpath !== undefined && e.linkpath.includes("\0") ? "has a NUL in its link" : undefined);
    if (why) throw unsafe(e.path, why);
    const kind = kindOf(e.type);
    if (kind === "other" && /Device|FIFO|Socket/i.test(e.type))
      throw unsafe(e.path, `is a ${e.type} entry`);
    // `rel` is normalized (no '', '.' or '..' components): `./L/x`, `L//x` and `L/./x` are `L/x`.
    const rel = relativeToRoot(root, e.path);
    if (rel === undefined) return undefined;
    if (kind === "other") throw unsafe(e.path, `has an unsupported type (${e.type})`);
    // Never write through a link. (The stager checks again against the tree on disk.)
    if (links.size > 0) {
      const parts = rel.split("/");
      for (let i = 1; i < parts.length; i++) {
        if (links.has(parts.slice(0, i).join("/")))
          throw unsafe(e.path, "lies below a symbolic link");
      }
    }
    if (rel === "" && kind !== "dir")
      throw unsafe(e.path, "replaces the workspace directory itself");
    // A later entry of the same name replaces the earlier one on disk, as with tar: the name is a
    // link, or a file a hard link may point at, only as long as the last entry says so.
    links.delete(rel);
    files.delete(rel);
    if (kind === "symlink") {
      const problem = linkTargetProblem(rel, e.linkpath ?? "");
      if (problem) throw unsafe(e.path, problem);
      links.add(rel);
    }
    if (kind === "hardlink") {
      const target = e.linkpath ?? "";
      if (unsafeArchivePath(target)) throw unsafe(e.path, `is a hard link to ${target}`);
      const linkRel = relativeToRoot(root, target);
      if (linkRel === undefined || !files.has(linkRel))
        throw unsafe(
          e.path,
          `is a hard link to something that is not a file of the workspace (${target})`,
        );
      return { entry: e, kind, rel, linkRel };
    }
    // Equal paths inside the root ⇔ equal rels: only files a hard link names need remembering.
    if (kind === "file" && this.hardlinkTargets.has(normalizeEntryPath(e.path))) files.add(rel);
    return { entry: e, kind, rel };
  }
}

/**
 * Checks every entry of the archive and returns those of one workspace's directory. Throws
 * RESTORE.UNSAFE_ENTRY (exit 1) before anything has been written.
 */
export function planFiles(entries: readonly RawEntry[], root: string): PlannedEntry[] {
  const planner = new FilePlanner(root, hardlinkTargetsOf(entries));
  const planned: PlannedEntry[] = [];
  for (const e of entries) {
    const p = planner.add(e);
    if (p) planned.push(p);
  }
  return planned;
}
