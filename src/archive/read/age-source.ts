// Reading an age-encrypted archive: an ArchiveSource whose open() yields the plaintext (the gzip
// or tar inside). An archive is taken for an age file by its first line `age-encryption.org/v1`,
// whatever its name. The key is checked when the source is made — before a restore reads or
// changes anything — and the file key it unwraps is kept, so each later pass (a restore reads the
// archive twice) does not run scrypt again. Every chunk is authenticated as it is read: a
// damaged or altered byte fails the read (the reader reports RESTORE.CORRUPT).
import { createDecipheriv, hkdfSync } from "node:crypto";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { failure, usage } from "../../errors.js";
import { keyOption, type AgeDecryptKeys } from "../age-keys.js";
import { headerLength } from "../age-layer.js";
import type { ArchiveSource } from "./source.js";

export const AGE_MAGIC = "age-encryption.org/v1\n";
const TAG = 16;
const NONCE = 16;
const SEALED = 64 * 1024 + TAG;
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

async function unwrapFileKey(
  src: ArchiveSource,
  keys: AgeDecryptKeys,
): Promise<{ header: Buffer; fileKey: Uint8Array }> {
  const header = await readHeader(src);
  const { Decrypter } = await import("age-encryption"); // loaded when used (start-up time)
  const d = new Decrypter();
  if (keys.kind === "passphrase") d.addPassphrase(keys.passphrase);
  else if (keys.kind === "fileKey") d.addIdentity({ unwrapFileKey: () => keys.fileKey });
  else for (const id of keys.identities) d.addIdentity(id);
  try {
    return { header, fileKey: await d.decryptHeader(header) };
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

function damaged(why: string): Error {
  return new Error(
    `age decryption failed: the encrypted data is damaged, truncated or altered (${why})`,
  );
}

/**
 * age's STREAM, opened: the file's bytes in, the plaintext out. The header must be the one whose
 * key was unwrapped (its MAC was checked then); each 64 KiB chunk is authenticated before any of
 * it is passed on, and a chunk is taken for the last one (flagged) only when the file ends after
 * it, so a file cut at a chunk boundary fails too. Node's ChaCha20-Poly1305 (see age-layer.ts).
 */
class AgePayloadOpen extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private streamKey: Buffer | undefined;
  private counter = 0;

  constructor(
    private readonly header: Buffer,
    private readonly fileKey: Uint8Array,
  ) {
    super();
  }

  private open(sealed: Buffer, last: boolean): Buffer {
    const nonce = Buffer.alloc(12);
    nonce.writeUIntBE(this.counter, 5, 6);
    nonce[11] = last ? 1 : 0;
    this.counter += 1;
    const d = createDecipheriv("chacha20-poly1305", this.streamKey!, nonce, { authTagLength: TAG });
    d.setAuthTag(sealed.subarray(sealed.length - TAG));
    try {
      return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
    } catch {
      throw damaged(`chunk ${this.counter - 1} fails authentication`);
    }
  }

  /** Checks the header and takes the nonce; returns the payload bytes of `b`, if any yet. */
  private prologue(b: Buffer): Buffer | undefined {
    const need = this.header.length + NONCE;
    this.pending = Buffer.concat([this.pending, b]);
    if (this.pending.length < need) return undefined;
    if (!this.pending.subarray(0, this.header.length).equals(this.header))
      throw damaged("its header changed since the key was checked");
    const nonce = this.pending.subarray(this.header.length, need);
    this.streamKey = Buffer.from(hkdfSync("sha256", this.fileKey, nonce, "payload", 32));
    const rest = this.pending.subarray(need);
    this.pending = Buffer.alloc(0);
    return rest;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      const data = this.streamKey ? chunk : this.prologue(chunk);
      if (data === undefined) return done();
      this.pending = this.pending.length > 0 ? Buffer.concat([this.pending, data]) : data;
      const out: Buffer[] = [];
      let off = 0;
      // A full chunk is opened once more bytes follow it (otherwise it must be the last one).
      while (this.pending.length - off > SEALED) {
        out.push(this.open(this.pending.subarray(off, off + SEALED), false));
        off += SEALED;
      }
      this.pending = Buffer.from(this.pending.subarray(off));
      done(null, out.length > 0 ? Buffer.concat(out) : undefined);
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (!this.streamKey) throw damaged("it ends inside its header");
      const last = this.pending;
      if (last.length < TAG || (last.length === TAG && this.counter > 0))
        throw damaged("it ends without its final chunk");
      done(null, this.open(last, true));
    } catch (error) {
      done(error as Error);
    }
  }
}

/** The plaintext of `src`, decrypted with an already unwrapped file key. */
function plaintext(src: ArchiveSource, header: Buffer, fileKey: Uint8Array): Readable {
  const raw = src.open();
  const out = new AgePayloadOpen(header, fileKey);
  raw.on("error", (e) => out.destroy(e));
  out.on("close", () => raw.destroy());
  return raw.pipe(out);
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
  const { header, fileKey } = await unwrapFileKey(src, keys);
  const open = (): Readable => plaintext(src, header, fileKey);
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
