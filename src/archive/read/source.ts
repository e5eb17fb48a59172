// Where an archive's bytes come from. A restore reads them through ArchiveSource only, twice
// (pass 1 and pass 2), so another store (an object in a bucket, an encrypted stream) plugs in by
// making one. Here: a file, or split parts `<file>.00`, `<file>.01`, … read back to back as one
// stream (processmaker-3.md §3.5), found by ProcessMaker's file resolution (§4.1); an s3:// object
// (s3-source.ts).
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { usage } from "../../errors.js";
import type { AgeDecryptKeys } from "../age-keys.js";
import { listParts } from "../parts.js";
import { AGE_MAGIC, decryptingSource, isAgeHeader } from "./age-source.js";
import { findBareArchive } from "./lookup.js";
import type { S3Store } from "../s3/client.js";
import { isS3Url, parseS3Url } from "../s3/location.js";
import { s3Source } from "./s3-source.js";
import { pathExists } from "../../fsx/exists.js";

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

export async function resolveArchive(
  name: string,
  o: {
    sharedDir: string;
    cwd: string;
    multiple: boolean;
    s3?: () => S3Store;
    keys?: AgeDecryptKeys | undefined;
  },
): Promise<ArchiveSource> {
  if (isS3Url(name)) return peekAge(await objectSource(name, o), o.keys);
  let file: string;
  let multiple = o.multiple;
  if (!name.includes("/") && !name.includes("\\")) {
    ({ file, multiple } = await findBareArchive(path.join(o.sharedDir, "backups"), name, multiple));
  } else {
    file = path.resolve(o.cwd, name);
  }
  let parts: string[];
  if (multiple) {
    parts = await listParts(file);
    if (parts.length === 0) {
      throw usage("RESTORE.NO_ARCHIVE", `No split backup parts ${file}.00, ${file}.01, … found.`, {
        hint: "Name the backup without the .00 suffix, or drop -m for a single-file backup.",
      });
    }
  } else {
    if (!(await pathExists(file))) {
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

/** An object whose first bytes are an age header is decrypted (as a file is, below). */
async function peekAge(
  src: ArchiveSource,
  keys: AgeDecryptKeys | undefined,
): Promise<ArchiveSource> {
  const lead: Buffer[] = [];
  let n = 0;
  const raw = src.open();
  try {
    for await (const c of raw) {
      lead.push(c as Buffer);
      n += (c as Buffer).length;
      if (n >= AGE_MAGIC.length) break;
    }
  } finally {
    raw.destroy();
  }
  return isAgeHeader(Buffer.concat(lead)) ? decryptingSource(src, keys) : src;
}

/** An s3://BUCKET/KEY object (split parts are local only). */
function objectSource(
  name: string,
  o: { multiple: boolean; s3?: () => S3Store },
): Promise<ArchiveSource> {
  const loc = parseS3Url(name);
  if (o.multiple) {
    throw usage(
      "S3.SPLIT_UNSUPPORTED",
      "Split backups (-m/--multiple) are for local files only, not s3:// locations.",
      {
        hint: "Leave out -m: a backup in S3 is one object.",
      },
    );
  }
  if (loc.isPrefix) {
    throw usage("S3.BAD_URL", `${name} names a prefix, not a backup.`, {
      hint: `Name the object, e.g. s3://${loc.bucket}/${loc.key}<file>.tar.gz; list them with: pmadmin backups list ${name}`,
    });
  }
  if (!o.s3) throw new Error("an s3:// archive needs an S3 store");
  return s3Source(loc, o.s3());
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
