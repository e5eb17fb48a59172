// Split archives: numbered parts `<file>.00`, `<file>.01`, … that `cat <file>.*` joins back into
// the archive (processmaker-3.md §3.5). Named as GNU split -d names them, both when we write parts
// (sink) and when we group them (retention); read back in numeric order (source).
import { readdir } from "node:fs/promises";
import path from "node:path";

/** GNU split's numeric suffixes (-d): 00…89, then 9000…9899, then 990000…, so `cat f.*` sorts right. */
export function partSuffix(index: number): string {
  if (index < 90) return String(index).padStart(2, "0");
  if (index < 990) return `9${String(index - 90).padStart(3, "0")}`;
  return `99${String(index - 990).padStart(4, "0")}`;
}

const PART_NAME = /^(.*)\.(?:\d\d|9\d{3}|99\d{4})$/;

/** The archive a part's file name belongs to (`x.tar.01` → `x.tar`), when it has a suffix partSuffix() writes. */
export function partOf(fileName: string): string | undefined {
  return PART_NAME.exec(fileName)?.[1];
}

/**
 * The parts of `file` present on disk, in order: any run of two or more digits after `<file>.`
 * (split widens the suffix after 90 parts: .9000, .9001, …; other tools widen it differently).
 */
export async function listParts(file: string): Promise<string[]> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const nums = names
    .filter((n) => n.startsWith(`${base}.`) && /^\d{2,}$/.test(n.slice(base.length + 1)))
    .map((n) => n.slice(base.length + 1))
    .sort((a, b) => a.length - b.length || a.localeCompare(b));
  return nums.map((n) => path.join(dir, `${base}.${n}`));
}
