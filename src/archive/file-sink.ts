// An archive written to a file, or to numbered parts of at most N bytes, all under temporary names
// in the target directory. Nothing appears under a final name until commit(): each part is
// fsynced, renamed over its final name, and the directory is fsynced. An existing backup of the
// same name is untouched until that rename, so it survives any failure.
import { createHash, randomBytes, type Hash } from "node:crypto";
import { open, readdir, rename, rm, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { Writable } from "node:stream";
import { partOf, partSuffix } from "./parts.js";
import type { ArchiveSink, SinkResult } from "./sink.js";

export interface FileSinkOptions {
  /** Final path of the archive (split parts are "<finalPath>.00", ".01", …). */
  finalPath: string;
  /** Split into parts of at most this many bytes. */
  partBytes?: number | undefined;
}

interface Part {
  temp: string;
  final: string;
  bytes: number;
  hash: Hash;
}

class PartWriter extends Writable {
  readonly parts: Part[] = [];
  readonly whole = createHash("sha256");
  total = 0;
  /** The first failure writing the archive files (ENOSPC…): the root cause of what follows. */
  writeError: Error | undefined;
  private fh: FileHandle | undefined;

  constructor(
    private readonly o: FileSinkOptions,
    private readonly tempBase: string,
  ) {
    super({ highWaterMark: 1 << 20 });
  }

  private async openPart(): Promise<FileHandle> {
    if (this.fh) return this.fh;
    const i = this.parts.length;
    const split = this.o.partBytes !== undefined;
    const temp = split ? `${this.tempBase}.${partSuffix(i)}` : this.tempBase;
    const final = split ? `${this.o.finalPath}.${partSuffix(i)}` : this.o.finalPath;
    // 'wx': never clobber; 0600 because the archive holds credentials and password hashes.
    if (this.destroyed) throw new Error("archive output closed");
    const fh = await open(temp, "wx", 0o600);
    this.parts.push({ temp, final, bytes: 0, hash: createHash("sha256") });
    this.fh = fh;
    await fh.chmod(0o600); // the umask cannot widen it, but make sure of it
    return fh;
  }

  private async closePart(): Promise<void> {
    if (!this.fh) return;
    const fh = this.fh;
    this.fh = undefined;
    await fh.sync();
    await fh.close();
  }

  private async writeAll(chunk: Buffer): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      const fh = await this.openPart();
      const part = this.parts[this.parts.length - 1] as Part;
      const room =
        this.o.partBytes === undefined ? chunk.length - off : this.o.partBytes - part.bytes;
      const piece = chunk.subarray(off, off + Math.min(room, chunk.length - off));
      let done = 0;
      while (done < piece.length)
        done += (await fh.write(piece, done, piece.length - done)).bytesWritten;
      part.bytes += piece.length;
      // A single file's hash is the whole archive's: hash once.
      if (this.o.partBytes !== undefined) part.hash.update(piece);
      this.whole.update(piece);
      this.total += piece.length;
      off += piece.length;
      if (this.o.partBytes !== undefined && part.bytes >= this.o.partBytes) await this.closePart();
    }
  }

  // Open the first file at once: the temporary name shows up (and a full or read-only directory
  // fails) before any data has been produced.
  override _construct(cb: (e?: Error | null) => void): void {
    this.openPart().then(() => cb(), this.failed(cb));
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.writeAll(chunk).then(() => cb(), this.failed(cb));
  }

  override _final(cb: (e?: Error | null) => void): void {
    (async () => {
      if (this.parts.length === 0) await this.openPart();
      await this.closePart();
    })().then(() => cb(), this.failed(cb));
  }

  private failed(cb: (e?: Error | null) => void): (e: Error) => void {
    return (e) => {
      this.writeError ??= e;
      cb(e);
    };
  }

  override _destroy(error: Error | null, cb: (e?: Error | null) => void): void {
    const fh = this.fh;
    this.fh = undefined;
    (fh ? fh.close() : Promise.resolve()).then(
      () => cb(error),
      () => cb(error),
    );
  }
}

export class FileSink implements ArchiveSink {
  /** Write the tar stream here. */
  readonly input: Writable;
  private readonly writer: PartWriter;
  private readonly finished: Promise<void>;
  private committed = false;

  constructor(private readonly o: FileSinkOptions) {
    const dir = path.dirname(o.finalPath);
    const tempBase = path.join(
      dir,
      `.${path.basename(o.finalPath)}.pmadmin-${randomBytes(4).toString("hex")}.tmp`,
    );
    this.writer = new PartWriter(o, tempBase);
    this.input = this.writer;
    this.finished = new Promise((resolve, reject) => {
      this.writer.on("finish", resolve);
      this.writer.on("error", reject);
    });
    this.finished.catch(() => undefined); // observed by done(); avoid an unhandled rejection meanwhile
  }

  get writeError(): Error | undefined {
    return this.writer.writeError;
  }

  async done(): Promise<SinkResult> {
    await this.finished;
    return {
      files: this.writer.parts.map((p) => ({
        path: p.final,
        bytes: p.bytes,
        sha256: p.hash.digest("hex"),
      })),
      bytes: this.writer.total,
      sha256: this.writer.whole.digest("hex"),
    };
  }

  /** Renames the parts to their final names, drops stale higher-numbered parts, fsyncs the directory. */
  async commit(): Promise<void> {
    for (const p of this.writer.parts) await rename(p.temp, p.final);
    this.committed = true;
    const dir = path.dirname(this.o.finalPath);
    if (this.o.partBytes !== undefined) {
      // Parts of an older, longer backup of the same name would corrupt `cat <file>.*`.
      const base = path.basename(this.o.finalPath);
      const ours = new Set(this.writer.parts.map((p) => path.basename(p.final)));
      for (const name of await readdir(dir)) {
        if (partOf(name) === base && !ours.has(name)) {
          await rm(path.join(dir, name), { force: true });
        }
      }
    }
    const dh = await open(dir, "r");
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  async discard(): Promise<void> {
    if (this.committed) return;
    this.input.destroy();
    this.writer.destroy();
    await this.finished.catch(() => undefined);
    for (const p of this.writer.parts) await rm(p.temp, { force: true });
  }
}
