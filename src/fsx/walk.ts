// Walking a tree without following symbolic links, streaming entries instead of listing it whole.
import { lstat, opendir } from "node:fs/promises";
import type { Stats } from "node:fs";
import path from "node:path";

export interface WalkEntry {
  /** Path relative to the root, with '/' separators. */
  rel: string;
  abs: string;
  stats: Stats;
}

/** Depth-first, sorted by name within a directory so archives and reports are reproducible. */
export async function* walk(root: string, rel = ""): AsyncGenerator<WalkEntry> {
  const dir = rel === "" ? root : path.join(root, rel);
  const names: string[] = [];
  for await (const d of await opendir(dir)) names.push(d.name);
  names.sort();
  for (const name of names) {
    const childRel = rel === "" ? name : `${rel}/${name}`;
    const abs = path.join(root, childRel);
    const stats = await lstat(abs);
    yield { rel: childRel, abs, stats };
    if (stats.isDirectory()) yield* walk(root, childRel);
  }
}

export interface TreeSize {
  files: number;
  bytes: number;
}

export async function treeSize(root: string): Promise<TreeSize> {
  let files = 0;
  let bytes = 0;
  for await (const e of walk(root)) {
    if (e.stats.isDirectory()) continue;
    files += 1;
    bytes += e.stats.isFile() ? e.stats.size : 0;
  }
  return { files, bytes };
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}
