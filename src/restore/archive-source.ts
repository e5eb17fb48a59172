// Which bytes make up the archive: ProcessMaker's file resolution (processmaker-3.md §4.1) and
// split parts `<file>.00`, `<file>.01`, … read back to back as one stream (§3.5).
import { createReadStream } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { usage } from "../errors.js";

export interface ArchiveSource {
  /** The name the user means (the file, or the common name of the parts). */
  file: string;
  parts: string[];
  bytes: number;
  gzip: boolean;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** `<file>.00`, `.01`, … in order (GNU split widens the suffix after 90 parts: .9000, .9001, …). */
export async function splitParts(file: string): Promise<string[]> {
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

export async function resolveArchive(
  name: string,
  o: { sharedDir: string; cwd: string; multiple: boolean },
): Promise<ArchiveSource> {
  let file: string;
  if (!name.includes("/") && !name.includes("\\")) {
    file = path.join(o.sharedDir, "backups", name);
    const probe = o.multiple ? (await splitParts(file)).length > 0 : await exists(file);
    if (!probe && !/\.tar$/i.test(name)) file += ".tar";
  } else {
    file = path.resolve(o.cwd, name);
  }
  let parts: string[];
  if (o.multiple) {
    parts = await splitParts(file);
    if (parts.length === 0) {
      throw usage("RESTORE.NO_ARCHIVE", `No split backup parts ${file}.00, ${file}.01, … found.`, {
        hint: "Name the backup without the .00 suffix, or drop -m for a single-file backup.",
      });
    }
  } else {
    if (!(await exists(file))) {
      const hasParts = (await splitParts(file)).length > 0;
      throw usage("RESTORE.NO_ARCHIVE", `Backup file ${file} not found.`, {
        hint: hasParts
          ? `Split parts ${file}.00… exist: add -m to restore them.`
          : "Check the name; bare names are looked up in <shared>/backups/.",
      });
    }
    parts = [file];
  }
  let bytes = 0;
  for (const p of parts) bytes += (await stat(p)).size;
  const head = Buffer.alloc(2);
  const fh = await open(parts[0] ?? file, "r");
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  return { file, parts, bytes, gzip: head[0] === 0x1f && head[1] === 0x8b };
}

/** The parts as one byte stream, with back-pressure. */
export function openArchive(src: ArchiveSource): Readable {
  async function* chain(): AsyncGenerator<Buffer> {
    for (const p of src.parts) {
      for await (const chunk of createReadStream(p, { highWaterMark: 256 * 1024 }))
        yield chunk as Buffer;
    }
  }
  return Readable.from(chain(), { objectMode: false });
}
