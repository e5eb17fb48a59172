// The archive's bytes as a plain tar stream, with back-pressure all the way, and its end checked.
//
// Decompression is ours (node:zlib), not node-tar's: the parser inflates each chunk written to it
// synchronously and whole, so a 256 KiB chunk of a gzip bomb became ~256 MB in one Buffer. zlib's
// Transform emits 64 KiB pieces and stops inflating while the parser is not draining.
//
// What follows the end is checked, since a backup tool must not pass a damaged file as a good
// one: after the gzip member(s) only zero bytes may follow (gzip pads that way; zlib ignores them),
// and after tar's end-of-archive blocks too (GNU tar and PHP Archive_Tar pad with zero blocks).
// node-tar ignores — and keeps in memory — whatever follows its end, so TarEndGuard walks the
// block structure itself (with node-tar's own Header and Pax, so both agree on every size) and
// never hands the parser a byte past the end.
import { Transform, type TransformCallback, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { Header, Pax } from "tar";

const BLOCK = 512;
/** node-tar's default: longer meta entries (pax, long names) are ignored, not applied. */
const MAX_META = 1024 * 1024;
const META_TYPES = new Set([
  "ExtendedHeader",
  "OldExtendedHeader",
  "GlobalExtendedHeader",
  "NextFileHasLongPath",
  "OldGnuLongPath",
  "NextFileHasLongLinkpath",
]);
const ZEROS = Buffer.alloc(64 * 1024);

/** The archive is damaged; `reason` says how (for RESTORE.CORRUPT). */
class DamagedArchive extends Error {}

/** Whether `b` holds only zero bytes (compared natively, 64 KiB at a time). */
function allZero(b: Buffer): boolean {
  for (let off = 0; off < b.length; off += ZEROS.length) {
    const part = b.subarray(off, Math.min(b.length, off + ZEROS.length));
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}

type HeaderData = ConstructorParameters<typeof Header>[2];

/**
 * Passes a tar stream through up to and including its end-of-archive blocks; fails on any
 * non-zero byte after them. Holds at most one header block and one meta entry (≤ 1 MiB).
 */
export class TarEndGuard extends Transform {
  private partial: Buffer | undefined;
  /** Bytes of the current entry's body (padded) still to pass. */
  private body = 0;
  private metaType: string | undefined;
  private metaSize = 0;
  private meta: Buffer[] = [];
  private ex: HeaderData;
  private gex: HeaderData;
  private sawNull = false;
  private ended = false;
  /** The structure could not be followed: the parser will report the damage. */
  private lost = false;
  private first = true;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      done(null, this.consume(chunk));
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.partial && !this.ended && !this.lost) this.push(this.partial);
    done();
  }

  private consume(chunk: Buffer): Buffer | undefined {
    if (this.lost) return chunk;
    if (this.ended) {
      if (!allZero(chunk)) throw new DamagedArchive("data follows tar's end-of-archive blocks");
      return undefined;
    }
    let buf = chunk;
    let lead = 0;
    if (this.partial) {
      lead = this.partial.length;
      buf = Buffer.concat([this.partial, chunk]);
      this.partial = undefined;
    }
    let pos = 0;
    while (pos < buf.length && !this.ended && !this.lost) {
      if (this.body > 0) {
        const n = Math.min(this.body, buf.length - pos);
        if (this.metaType !== undefined) this.collectMeta(buf.subarray(pos, pos + n));
        this.body -= n;
        pos += n;
        if (this.body === 0 && this.metaType !== undefined) this.applyMeta();
        continue;
      }
      if (buf.length - pos < BLOCK) {
        this.partial = Buffer.from(buf.subarray(pos));
        pos = buf.length;
        break;
      }
      this.header(buf.subarray(pos, pos + BLOCK));
      pos += BLOCK;
    }
    if (this.ended && pos < buf.length && !allZero(buf.subarray(pos)))
      throw new DamagedArchive("data follows tar's end-of-archive blocks");
    // Pass on what was consumed (a header split across chunks is passed when whole).
    const upTo = this.lost ? buf.length : this.partial ? buf.length - this.partial.length : pos;
    const out = buf.subarray(0, upTo);
    return lead > 0 || upTo < buf.length ? Buffer.from(out) : out;
  }

  private header(block: Buffer): void {
    if (this.first) {
      this.first = false;
      // node-tar would inflate a second layer (or zstd) itself, synchronously and whole.
      if ((block[0] === 0x1f && block[1] === 0x8b) || block.readUInt32BE(0) === 0x28b52ffd)
        throw new DamagedArchive("it is compressed twice, or not with gzip");
    }
    let h: Header;
    try {
      h = new Header(block, 0, this.ex, this.gex);
    } catch {
      this.lost = true;
      return;
    }
    if (h.nullBlock) {
      if (this.sawNull) this.ended = true;
      this.sawNull = true;
      return;
    }
    this.sawNull = false;
    if (!h.cksumValid || !h.path) {
      this.lost = true;
      return;
    }
    const size = h.size ?? 0;
    this.body = BLOCK * Math.ceil(size / BLOCK);
    if (META_TYPES.has(h.type)) {
      this.metaType = size <= MAX_META ? h.type : undefined;
      this.metaSize = size;
      this.meta = [];
      if (this.body === 0 && this.metaType !== undefined) this.applyMeta();
    } else {
      this.ex = undefined;
    }
  }

  private collectMeta(b: Buffer): void {
    const have = this.meta.reduce((n, m) => n + m.length, 0);
    if (have < this.metaSize) this.meta.push(Buffer.from(b.subarray(0, this.metaSize - have)));
  }

  private applyMeta(): void {
    const text = Buffer.concat(this.meta).toString("utf8");
    const type = this.metaType;
    this.metaType = undefined;
    this.meta = [];
    if (type === "ExtendedHeader" || type === "OldExtendedHeader")
      this.ex = Pax.parse(text, this.ex, false);
    else if (type === "GlobalExtendedHeader") this.gex = Pax.parse(text, this.gex, true);
    else if (type === "NextFileHasLongLinkpath")
      this.ex = { ...this.ex, linkpath: text.replace(/\0.*/s, "") };
    else this.ex = { ...this.ex, path: text.replace(/\0.*/s, "") };
  }
}

/**
 * Gunzips `raw`; after the compressed data ends only zero bytes may follow (zlib ignores what
 * follows once it sees a zero byte: the check is ours).
 */
export function gunzipChecked(raw: Readable): Readable {
  let total = 0;
  let lastNonZero = -1;
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  const counted = new Transform({
    transform(chunk: Buffer, _enc, done) {
      // Usually the last byte is non-zero: one comparison per chunk.
      if (chunk.length > 0 && chunk[chunk.length - 1] !== 0) lastNonZero = total + chunk.length - 1;
      else if (!allZero(chunk)) {
        let i = chunk.length - 1;
        while (chunk[i] === 0) i -= 1;
        lastNonZero = total + i;
      }
      total += chunk.length;
      done(null, chunk);
    },
  });
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      done(null, chunk);
    },
    flush(done) {
      done(
        lastNonZero >= gunzip.bytesWritten
          ? new DamagedArchive("data follows the end of its gzip stream")
          : null,
      );
    },
  });
  const fail = (error: Error): void => {
    out.destroy(error);
  };
  raw.on("error", fail);
  counted.on("error", fail);
  gunzip.on("error", (error) => fail(new DamagedArchive(`gzip: ${error.message}`)));
  out.on("close", () => {
    raw.destroy();
    counted.destroy();
    gunzip.destroy();
  });
  raw.pipe(counted).pipe(gunzip).pipe(out);
  return out;
}
