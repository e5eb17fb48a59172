// gzip on every core: the tar stream is cut into blocks that are compressed independently (each a
// complete gzip member) on the libuv thread pool and written in order. A file of concatenated
// members is a valid gzip file (RFC 1952 §2.2): gunzip, GNU tar -z, node's zlib and PHP's
// gzread (PEAR Archive_Tar, ProcessMaker's reader) all read it as one stream — it is what pigz
// and bgzip write. The price is a slightly larger file (each block starts a fresh dictionary);
// the gain is wall time roughly divided by the cores, which is what lets a backup with
// compression keep up with `mariadb-dump && tar czf`.
import { availableParallelism } from "node:os";
import { Transform, type TransformCallback } from "node:stream";
import { gzip } from "node:zlib";

const BLOCK = 4 << 20;

function compress(block: Buffer, level: number): Promise<Buffer> {
  // One output chunk for the whole block: zlib's default 16 KiB chunks would make every block
  // hundreds of thread-pool round trips and main-thread callbacks.
  const chunkSize = block.length + (block.length >> 3) + 65536;
  return new Promise((resolve, reject) =>
    gzip(block, { level, chunkSize }, (e, out) => (e ? reject(e) : resolve(out))),
  );
}

export class ParallelGzip extends Transform {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private readonly inflight: Array<Promise<Buffer>> = [];
  private readonly maxInflight: number;

  constructor(private readonly level = 6) {
    super();
    // libuv's pool has 4 threads and file I/O needs some of them.
    this.maxInflight = Math.max(2, Math.min(3, availableParallelism()));
  }

  private launched = 0;

  private launch(block: Buffer): void {
    this.launched += 1;
    const p = compress(block, this.level);
    p.catch(() => undefined); // awaited in order by drainHead
    this.inflight.push(p);
  }

  private async drainHead(): Promise<void> {
    const head = this.inflight.shift();
    if (head) this.push(await head);
  }

  private cut(): void {
    while (this.pendingLen >= BLOCK) {
      const all =
        this.pending.length === 1
          ? (this.pending[0] as Buffer)
          : Buffer.concat(this.pending, this.pendingLen);
      this.launch(all.subarray(0, BLOCK));
      const rest = all.subarray(BLOCK);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingLen = rest.length;
    }
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingLen += chunk.length;
    this.cut();
    if (this.inflight.length < this.maxInflight) return cb();
    // Back-pressure: wait for the oldest block before accepting more input.
    (async () => {
      while (this.inflight.length >= this.maxInflight) await this.drainHead();
    })().then(() => cb(), cb);
  }

  override _flush(cb: TransformCallback): void {
    // An empty input still makes a valid (empty) gzip file.
    if (this.pendingLen > 0 || this.launched === 0)
      this.launch(Buffer.concat(this.pending, this.pendingLen));
    this.pending = [];
    this.pendingLen = 0;
    (async () => {
      while (this.inflight.length > 0) await this.drainHead();
    })().then(() => cb(), cb);
  }
}
