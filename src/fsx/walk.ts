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

const vanished = (error: unknown): boolean =>
  ["ENOENT", "ENOTDIR"].includes((error as { code?: string }).code ?? "");

/**
 * Depth-first, sorted by name within a directory so archives and reports are reproducible. A live
 * installation changes while it is walked (ProcessMaker writes and deletes cache files all day):
 * an entry below the root that vanishes between listing and reading is left out; a missing root
 * is an error.
 */
export async function* walk(root: string, rel = ""): AsyncGenerator<WalkEntry> {
  const dir = rel === "" ? root : path.join(root, rel);
  const names: string[] = [];
  try {
    for await (const d of await opendir(dir)) names.push(d.name);
  } catch (error) {
    if (rel === "" || !vanished(error)) throw error;
    return;
  }
  names.sort();
  for (const name of names) {
    const childRel = rel === "" ? name : `${rel}/${name}`;
    const abs = path.join(root, childRel);
    let stats: Stats;
    try {
      stats = await lstat(abs);
    } catch (error) {
      if (vanished(error)) continue;
      throw error;
    }
    yield { rel: childRel, abs, stats };
    if (stats.isDirectory()) yield* walk(root, childRel);
  }
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
