// Reading an age-encrypted archive: an ArchiveSource whose open() yields the plaintext (the gzip
// or tar inside). An archive is taken for an age file by its first line `age-encryption.org/v1`,
// whatever its name. The key is checked when the source is made — before a restore reads or
// changes anything — and the file key it unwraps is kept, so each later pass (a restore reads the
// archive twice) does not run scrypt again. Every chunk is authenticated as it is read: a
// damaged or altered byte fails the read (the reader reports RESTORE.CORRUPT).
import { Readable } from "node:stream";
import { Decrypter } from "age-encryption";
import { failure, usage } from "../../errors.js";
import { keyOption, type AgeDecryptKeys } from "../age-keys.js";
import { buffersOf, headerLength, webStreamOf } from "../age-layer.js";
import type { ArchiveSource } from "./source.js";

export const AGE_MAGIC = "age-encryption.org/v1\n";
/** age's header is a few lines per recipient; anything longer is not a header we can read. */
const HEADER_LIMIT = 256 * 1024;

export function isAgeHeader(head: Buffer): boolean {
  return head.subarray(0, AGE_MAGIC.length).toString("latin1") === AGE_MAGIC;
}

/** The header's bytes up to and including its MAC line ("--- …\n"). */
async function readHeader(src: ArchiveSource): Promise<Buffer> {
  const raw = src.open();
  const chunks: Buffer[] = [];
  let len = 0;
  try {
    for await (const c of raw) {
      chunks.push(c as Buffer);
      len += (c as Buffer).length;
      const all = Buffer.concat(chunks);
      const end = headerLength(all);
      if (end >= 0) return all.subarray(0, end);
      if (len > HEADER_LIMIT) break;
    }
  } finally {
    raw.destroy();
  }
  throw failure(
    "AGE.BAD_HEADER",
    `${src.file} starts like an age file but its header is damaged.`,
    {
      hint: "Copy the backup again, or use another backup.",
    },
  );
}

async function unwrapFileKey(src: ArchiveSource, keys: AgeDecryptKeys): Promise<Uint8Array> {
  const header = await readHeader(src);
  const d = new Decrypter();
  if (keys.kind === "passphrase") d.addPassphrase(keys.passphrase);
  else if (keys.kind === "fileKey") d.addIdentity({ unwrapFileKey: () => keys.fileKey });
  else for (const id of keys.identities) d.addIdentity(id);
  try {
    return await d.decryptHeader(header);
  } catch (error) {
    const why = (error as Error).message;
    if (/HMAC|invalid|malformed/i.test(why) && !/passphrase/i.test(why)) {
      throw failure(
        "AGE.BAD_HEADER",
        `${src.file}'s age header is damaged (${why}); nothing was changed.`,
        {
          hint: "Copy the backup again, or use another backup.",
        },
      );
    }
    throw failure(
      "AGE.WRONG_KEY",
      `${keyOption(keys)} does not decrypt ${src.file}; nothing was changed.`,
      {
        hint: "Give the identity (or passphrase) of a recipient the backup was encrypted to.",
      },
    );
  }
}

/** The plaintext of `src`, decrypted with an already unwrapped file key. */
function plaintext(src: ArchiveSource, fileKey: Uint8Array): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    const d = new Decrypter();
    d.addIdentity({ unwrapFileKey: () => fileKey });
    const out = await d.decrypt(webStreamOf(src.open()));
    try {
      yield* buffersOf(out);
    } catch (error) {
      throw new Error(
        `age decryption failed: the encrypted data is damaged, truncated or altered (${(error as Error).message})`,
      );
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** `src` decrypted; `keys` undefined: exit 2 naming the options. */
export async function decryptingSource(
  src: ArchiveSource,
  keys: AgeDecryptKeys | undefined,
): Promise<ArchiveSource> {
  if (keys === undefined) {
    throw usage(
      "AGE.KEY_REQUIRED",
      `The backup ${src.file} is encrypted (age); nothing was changed.`,
      {
        hint: "Give --identity FILE (the age identity of a recipient) or --passphrase-file FILE.",
      },
    );
  }
  const fileKey = await unwrapFileKey(src, keys);
  const open = (): Readable => plaintext(src, fileKey);
  const head = open();
  let first = Buffer.alloc(0);
  try {
    for await (const c of head) {
      first = Buffer.concat([first, c as Buffer]);
      if (first.length >= 2) break;
    }
  } catch {
    // A damaged archive: the reader reports it on the real pass.
  } finally {
    head.destroy();
  }
  return { ...src, gzip: first[0] === 0x1f && first[1] === 0x8b, encrypted: true, open };
}
