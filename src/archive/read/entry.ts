// One archive entry's header as the read side sees it, and the path rule every reader shares.
// Archive format code (archive/read/) and the restore's planner (restore/layout.ts) both use it.

export type EntryKind = "file" | "dir" | "symlink" | "hardlink" | "other";

export interface RawEntry {
  /** The path as stored (GNU long names and pax paths already applied by the parser). */
  path: string;
  type: string;
  size: number;
  mode: number;
  mtime: number | undefined;
  linkpath: string | undefined;
  sha256: string | undefined;
}

export function kindOf(type: string): EntryKind {
  if (type === "File" || type === "OldFile" || type === "ContiguousFile") return "file";
  if (type === "Directory") return "dir";
  if (type === "SymbolicLink") return "symlink";
  if (type === "Link") return "hardlink";
  return "other";
}

/**
 * `./a//./b/.` → `a/b`: drops empty and `.` components anywhere, so that two spellings of one path
 * compare equal in every "is this below a link" test. Keeps a leading '/' (absolute paths are
 * refused) and `..` (refused too, never resolved lexically: the component before it may be a link).
 */
export function normalizeEntryPath(p: string): string {
  // Most paths are already normal: one scan instead of split/filter/join (called per entry, often).
  if (!/(^|\/)\.?(\/|$)/.test(p)) return p;
  const parts = p.split("/").filter((c) => c !== "" && c !== ".");
  const lead = p.startsWith("/") ? "/" : "";
  return parts.length === 0 ? (lead === "/" ? "/" : "") : `${lead}${parts.join("/")}`;
}
