// Where an archive's bytes come from. A restore reads them through ArchiveSource only, twice
// (pass 1 and pass 2), so another store (an object in a bucket, an encrypted stream) plugs in by
// making one. Here: a file, or split parts `<file>.00`, `<file>.01`, … read back to back as one
// stream (processmaker-3.md §3.5), found by ProcessMaker's file resolution (§4.1).
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { usage } from "../../errors.js";
import type { AgeDecryptKeys } from "../age-keys.js";
import { listParts } from "../parts.js";
import { AGE_MAGIC, decryptingSource, isAgeHeader } from "./age-source.js";

export interface ArchiveSource {
  /** The name the user means, for messages (the file, or the common name of the parts). */
  file: string;
  /** Where the bytes are stored, in order (one file, or the split parts). */
  parts: string[];
  bytes: number;
  /** Whether the bytes are gzip (the tar inside is then inflated by the reader). */
  gzip: boolean;
  /** Whether the stored bytes are an age file (open() yields them decrypted). */
  encrypted?: boolean;
  /** The whole archive's bytes from its first byte, with back-pressure; each call starts over. */
  open(): Readable;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

export async function resolveArchive(
  name: string,
  o: { sharedDir: string; cwd: string; multiple: boolean; keys?: AgeDecryptKeys | undefined },
): Promise<ArchiveSource> {
  let file: string;
  if (!name.includes("/") && !name.includes("\\")) {
    file = path.join(o.sharedDir, "backups", name);
    const probe = o.multiple ? (await listParts(file)).length > 0 : await exists(file);
    if (!probe && !/\.tar$/i.test(name)) file += ".tar";
  } else {
    file = path.resolve(o.cwd, name);
  }
  let parts: string[];
  if (o.multiple) {
    parts = await listParts(file);
    if (parts.length === 0) {
      throw usage("RESTORE.NO_ARCHIVE", `No split backup parts ${file}.00, ${file}.01, … found.`, {
        hint: "Name the backup without the .00 suffix, or drop -m for a single-file backup.",
      });
    }
  } else {
    if (!(await exists(file))) {
      const hasParts = (await listParts(file)).length > 0;
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
  const head = Buffer.alloc(AGE_MAGIC.length);
  const fh = await open(parts[0] ?? file, "r");
  try {
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  const src = fileSource(file, parts, bytes, head[0] === 0x1f && head[1] === 0x8b);
  // An age file (by its header, whatever its name): decrypted before gunzip.
  return isAgeHeader(head) ? decryptingSource(src, o.keys) : src;
}

/** Files read back to back as one archive. */
function fileSource(file: string, parts: string[], bytes: number, gzip: boolean): ArchiveSource {
  async function* chain(): AsyncGenerator<Buffer> {
    for (const p of parts) {
      for await (const chunk of createReadStream(p, { highWaterMark: 256 * 1024 }))
        yield chunk as Buffer;
    }
  }
  return {
    file,
    parts,
    bytes,
    gzip,
    open: () => Readable.from(chain(), { objectMode: false }),
  };
}
