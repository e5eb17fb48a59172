// The one definition of "how many files a workspace has", used by info, the backup summary,
// `workspace-restore -i` and the restore summary alike: the entries below sites/<ws>/ (not the
// directory itself) that pmadmin backs up and restores, counted apart by type. Regular files
// (and hard links from an archive, which restore as files) are `files`, with their bytes;
// directories (empty ones too) are `directories`; symbolic links are `links`. Sockets, FIFOs and
// devices, which pmadmin neither archives nor restores, are not counted.
import { formatBytes, walk } from "./walk.js";

export interface FileCounts {
  files: number;
  directories: number;
  links: number;
  /** Bytes of the regular files. */
  bytes: number;
}

export type CountedKind = "file" | "dir" | "symlink" | "hardlink" | "other";

export function noFiles(): FileCounts {
  return { files: 0, directories: 0, links: 0, bytes: 0 };
}

export function countEntry(c: FileCounts, kind: CountedKind, size: number): void {
  if (kind === "file") {
    c.files += 1;
    c.bytes += size;
  } else if (kind === "hardlink") c.files += 1;
  else if (kind === "dir") c.directories += 1;
  else if (kind === "symlink") c.links += 1;
}

/** Counts a tree on disk without following links (a missing root is an error). */
export async function countTree(root: string): Promise<FileCounts> {
  const c = noFiles();
  for await (const e of walk(root)) {
    const s = e.stats;
    if (s.isFile()) countEntry(c, "file", s.size);
    else if (s.isDirectory()) countEntry(c, "dir", 0);
    else if (s.isSymbolicLink()) countEntry(c, "symlink", 0);
  }
  return c;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** "51 files, 122 directories, 1 link (150.0 KiB)" */
export function formatCounts(c: FileCounts): string {
  return `${plural(c.files, "file", "files")}, ${plural(c.directories, "directory", "directories")}, ${plural(c.links, "link", "links")} (${formatBytes(c.bytes)})`;
}
