// Writes tar entries one after another into a Writable, honouring back-pressure, and records the
// size and SHA-256 of every entry's content for the pmadmin manifest. Memory stays flat: content
// arrives as a stream of chunks and is never collected.
import { createHash } from "node:crypto";
import type { Readable, Writable } from "node:stream";
import { encodeHeader, endOfArchive, padding, type TarHeaderFields } from "./tar-header.js";
import type { ManifestEntry } from "./manifest.js";

/** Receives the manifest record of every entry written (in archive order). */
export type EntryRecorder = (entry: ManifestEntry) => void;

export class TarWriter {
  private bytes = 0;
  private failure: Error | undefined;

  constructor(
    private readonly out: Writable,
    private readonly record: EntryRecorder,
  ) {
    out.on("error", (e: Error) => (this.failure ??= e));
  }

  /** Bytes of tar written so far (before compression). */
  get written(): number {
    return this.bytes;
  }

  // Small pieces (headers, padding, small files) are gathered into blocks of BATCH bytes: every
  // write to a gzip or file stream is a trip through the thread pool, and a tree of many small
  // files would otherwise spend its time on those trips rather than on I/O or compression.
  private batch: Buffer[] = [];
  private batchLen = 0;

  private async push(chunk: Buffer): Promise<void> {
    this.rethrow();
    if (chunk.length === 0) return;
    this.bytes += chunk.length;
    if (chunk.length < SMALL) {
      this.batch.push(chunk);
      this.batchLen += chunk.length;
      if (this.batchLen >= BATCH) await this.flush();
      return;
    }
    await this.flush();
    await this.emit(chunk);
  }

  private async flush(): Promise<void> {
    if (this.batchLen === 0) return;
    const block =
      this.batch.length === 1
        ? (this.batch[0] as Buffer)
        : Buffer.concat(this.batch, this.batchLen);
    this.batch = [];
    this.batchLen = 0;
    await this.emit(block);
  }

  private async emit(chunk: Buffer): Promise<void> {
    if (!this.out.write(chunk)) {
      await drained(this.out);
      this.rethrow();
    }
  }

  /** A directory or symbolic link (no content). */
  async addEmpty(f: TarHeaderFields): Promise<void> {
    await this.push(encodeHeader({ ...f, size: 0 }));
    this.record(entryRecord(f, 0, EMPTY_SHA256));
  }

  /** A file whose content is in memory (meta, manifest). */
  async addBuffer(f: Omit<TarHeaderFields, "size" | "type">, data: Buffer): Promise<void> {
    await this.push(encodeHeader({ ...f, type: "file", size: data.length }));
    await this.push(data);
    await this.push(padding(data.length));
    this.record(
      entryRecord(
        { ...f, type: "file" },
        data.length,
        createHash("sha256").update(data).digest("hex"),
      ),
    );
  }

  /**
   * A file streamed from `source`. Exactly `size` bytes are written: a file that grew while being
   * read is cut at its size from stat (as GNU tar does), one that shrank is padded with zeros and
   * reported through the returned `shortBy`; `grew` says the source had more than `size` bytes.
   * The header's size and the manifest's SHA-256 always describe exactly the bytes written.
   */
  async addStream(
    f: Omit<TarHeaderFields, "size" | "type">,
    size: number,
    source: Readable | AsyncIterable<Buffer>,
  ): Promise<{ shortBy: number; grew: boolean }> {
    await this.push(encodeHeader({ ...f, type: "file", size }));
    const hash = createHash("sha256");
    let remaining = size;
    let grew = false;
    for await (const raw of source) {
      const chunk = raw as Buffer;
      if (chunk.length > remaining) grew = true;
      if (remaining === 0) break;
      const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
      hash.update(part);
      remaining -= part.length;
      await this.push(part);
    }
    if ("destroy" in source) source.destroy();
    const shortBy = remaining;
    if (shortBy > 0) {
      const zeros = Buffer.alloc(Math.min(shortBy, 1 << 20));
      while (remaining > 0) {
        const z = remaining >= zeros.length ? zeros : zeros.subarray(0, remaining);
        hash.update(z);
        remaining -= z.length;
        await this.push(z);
      }
    }
    await this.push(padding(size));
    this.record(entryRecord({ ...f, type: "file" }, size, hash.digest("hex")));
    return { shortBy, grew };
  }

  /**
   * Whole entries already laid out as tar blocks (headers, content, padding) by someone else,
   * with the manifest records of the entries they complete, in archive order.
   */
  async addRaw(data: Buffer, entries: ManifestEntry[]): Promise<void> {
    await this.push(data);
    for (const e of entries) this.record(e);
  }

  /** The output's error, if it failed meanwhile (set by the 'error' listener). */
  private rethrow(): void {
    const f: Error | undefined = this.failure;
    if (f !== undefined) throw f;
  }

  /** Writes the end-of-archive blocks and ends the output stream. */
  async finish(): Promise<void> {
    await this.push(endOfArchive());
    await this.flush();
    this.rethrow();
    this.out.end();
  }
}

/** Resolves on 'drain', or on 'close'/'error' (destroyed output); removes all three listeners. */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off("drain", done);
      out.off("close", done);
      out.off("error", done);
      resolve();
    };
    out.on("drain", done);
    out.on("close", done);
    out.on("error", done);
  });
}

const SMALL = 64 * 1024;
const BATCH = 512 * 1024;
const EMPTY_SHA256 = createHash("sha256").digest("hex");

function entryRecord(
  f: Omit<TarHeaderFields, "size">,
  size: number,
  sha256: string,
): ManifestEntry {
  const e: ManifestEntry = { name: f.name, type: f.type, size, sha256, mode: f.mode & 0o7777 };
  if (f.type === "symlink" && f.linkname !== undefined) e.linkname = f.linkname;
  return e;
}
