// An archive streamed into an S3 multipart upload. Nothing exists under the final key until
// commit(): parts are uploaded while the archive is still being written (a few parts in flight,
// so memory stays flat), and CompleteMultipartUpload happens only in commit(), after every part's
// size and MD5 were checked against what was sent. discard() aborts the upload (retrying while
// the store is unreachable for a while), so no multipart upload is left open and an older object
// under the same key (or its versions) is untouched.
//
// Not @aws-sdk/lib-storage's Upload: it completes the upload itself, writes a body smaller than
// one part with a single PutObject straight to the final key, and its abort() does not wait for
// AbortMultipartUpload, so it cannot give these commit semantics.
import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { failure } from "../errors.js";
import { isTransient, s3Error, type S3Store } from "./s3/client.js";
import { s3Url } from "./s3/location.js";
import type { ArchiveSink, SinkResult } from "./sink.js";

export interface S3SinkOptions {
  store: S3Store;
  bucket: string;
  key: string;
  /** User metadata (x-amz-meta-*) set on the object. */
  metadata: Record<string, string>;
  /** Part size of the first 1000 parts (grows after each 1000, for objects up to ~440 parts×GiB). */
  partBytes?: number;
  /** Parts uploaded at once. */
  queue?: number;
  /** How long discard() keeps trying to abort while the store is unreachable. */
  abortWindowMs?: number;
  /** Told when the upload could not be aborted (discard() never throws). */
  warn?: (text: string) => void;
}

interface SentPart {
  PartNumber: number;
  ETag: string;
  bytes: number;
  md5: string;
}

const MIB = 1024 * 1024;

class PartUploader extends Writable {
  uploadId: string | undefined;
  readonly whole = createHash("sha256");
  total = 0;
  writeError: Error | undefined;
  readonly sent: SentPart[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private created: Promise<string> | undefined;
  private nextPart = 1;

  constructor(private readonly o: S3SinkOptions) {
    super({ highWaterMark: 1 << 20 });
  }

  private partSize(n: number): number {
    return (this.o.partBytes ?? 8 * MIB) * (1 + Math.floor((n - 1) / 1000));
  }

  private ctx(action: string): Parameters<typeof s3Error>[1] {
    return { action, bucket: this.o.bucket, key: this.o.key, store: this.o.store };
  }

  /** Starts the upload once; the id is kept for discard() even if the writer was destroyed. */
  create(): Promise<string> {
    this.created ??= this.o.store.client
      .send(
        new CreateMultipartUploadCommand({
          Bucket: this.o.bucket,
          Key: this.o.key,
          Metadata: this.o.metadata,
          ContentType: "application/x-tar",
        }),
      )
      .then(
        (r) => {
          if (!r.UploadId) throw new Error("the store returned no UploadId");
          this.uploadId = r.UploadId;
          return r.UploadId;
        },
        (e: unknown) => {
          throw s3Error(e, this.ctx("start an upload to"));
        },
      );
    return this.created;
  }

  private async sendPart(body: Buffer): Promise<void> {
    const uploadId = await this.create();
    const PartNumber = this.nextPart++;
    const md5 = createHash("md5").update(body).digest();
    const job = (async () => {
      let r;
      try {
        r = await this.o.store.client.send(
          new UploadPartCommand({
            Bucket: this.o.bucket,
            Key: this.o.key,
            UploadId: uploadId,
            PartNumber,
            Body: body,
            ContentLength: body.length,
            ContentMD5: md5.toString("base64"),
          }),
        );
      } catch (e) {
        throw s3Error(e, this.ctx(`upload part ${PartNumber} of`));
      }
      this.sent.push({
        PartNumber,
        ETag: r.ETag ?? "",
        bytes: body.length,
        md5: md5.toString("hex"),
      });
    })();
    this.inFlight.add(job);
    job.then(
      () => this.inFlight.delete(job),
      (e: Error) => {
        this.inFlight.delete(job);
        this.writeError ??= e;
        this.destroy(e);
      },
    );
    // Back-pressure: at most `queue` parts in flight (plus the one being filled).
    while (this.inFlight.size >= (this.o.queue ?? 3)) await Promise.race(this.inFlight);
  }

  private async flush(final: boolean): Promise<void> {
    const size = this.partSize(this.nextPart);
    while (
      this.pendingBytes >= size ||
      (final && (this.pendingBytes > 0 || this.partsStarted() === 0))
    ) {
      await this.sendPart(this.takePart(size));
      if (final && this.pendingBytes === 0) break;
    }
  }

  /** The next `size` bytes (fewer at the end) as one buffer: one copy, the rest stays queued. */
  private takePart(size: number): Buffer {
    const out: Buffer[] = [];
    let n = 0;
    while (n < size && this.pending.length > 0) {
      const c = this.pending[0] as Buffer;
      const want = size - n;
      if (c.length <= want) {
        out.push(c);
        n += c.length;
        this.pending.shift();
      } else {
        out.push(c.subarray(0, want));
        this.pending[0] = c.subarray(want);
        n += want;
      }
    }
    this.pendingBytes -= n;
    return Buffer.concat(out, n);
  }

  private partsStarted(): number {
    return this.nextPart - 1;
  }

  // Start the upload at once: a missing bucket or bad credentials fail before any data is made.
  override _construct(cb: (e?: Error | null) => void): void {
    this.create().then(() => cb(), this.failed(cb));
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.whole.update(chunk);
    this.total += chunk.length;
    this.flush(false).then(() => cb(), this.failed(cb));
  }

  override _final(cb: (e?: Error | null) => void): void {
    (async () => {
      await this.flush(true);
      while (this.inFlight.size > 0) await Promise.race(this.inFlight);
    })().then(() => cb(), this.failed(cb));
  }

  private failed(cb: (e?: Error | null) => void): (e: Error) => void {
    return (e) => {
      this.writeError ??= e;
      cb(e);
    };
  }

  /** Waits for the parts still on their way (after a destroy) so an abort is the last word. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await this.created?.catch(() => undefined);
  }
}

export class S3Sink implements ArchiveSink {
  readonly input: Writable;
  private readonly up: PartUploader;
  private readonly finished: Promise<void>;
  private committed = false;
  private result: SinkResult | undefined;

  constructor(private readonly o: S3SinkOptions) {
    this.up = new PartUploader(o);
    this.input = this.up;
    this.finished = new Promise((resolve, reject) => {
      this.up.on("finish", resolve);
      this.up.on("error", reject);
    });
    this.finished.catch(() => undefined); // observed by done()
  }

  get writeError(): Error | undefined {
    return this.up.writeError;
  }

  get url(): string {
    return s3Url(this.o);
  }

  async done(): Promise<SinkResult> {
    await this.finished;
    const sha256 = this.up.whole.digest("hex");
    this.result = {
      files: [{ path: this.url, bytes: this.up.total, sha256 }],
      bytes: this.up.total,
      sha256,
    };
    return this.result;
  }

  /** Checks every part against what was sent, completes the upload, then checks the object's size. */
  async commit(): Promise<void> {
    const parts = [...this.up.sent].sort((a, b) => a.PartNumber - b.PartNumber);
    const sum = parts.reduce((a, p) => a + p.bytes, 0);
    const mismatch = parts.find(
      (p) => /^"?[0-9a-f]{32}"?$/i.test(p.ETag) && p.ETag.replace(/"/g, "").toLowerCase() !== p.md5,
    );
    if (sum !== this.up.total || parts.some((p, i) => p.PartNumber !== i + 1) || mismatch) {
      throw failure(
        "S3.UPLOAD_MISMATCH",
        `The parts stored for ${this.url} do not match what was sent${mismatch ? ` (part ${mismatch.PartNumber})` : ""}; the upload was not completed.`,
        {
          hint: "Run the backup again; if it persists, the store is damaging data in transit.",
        },
      );
    }
    const ctx = {
      action: "complete the upload of",
      bucket: this.o.bucket,
      key: this.o.key,
      store: this.o.store,
    };
    const client = this.o.store.client;
    try {
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.o.bucket,
          Key: this.o.key,
          UploadId: this.up.uploadId,
          MultipartUpload: {
            Parts: parts.map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag })),
          },
        }),
      );
    } catch (e) {
      throw s3Error(e, ctx);
    }
    this.committed = true;
    const head = await client
      .send(new HeadObjectCommand({ Bucket: this.o.bucket, Key: this.o.key }))
      .catch((e: unknown) => {
        throw s3Error(e, { ...ctx, action: "check the uploaded" });
      });
    if (head.ContentLength !== this.up.total) {
      throw failure(
        "S3.UPLOAD_MISMATCH",
        `${this.url} holds ${head.ContentLength} bytes after the upload, not the ${this.up.total} sent.`,
        {
          hint: "Do not rely on this object; run the backup again and check the store.",
        },
      );
    }
  }

  async discard(): Promise<void> {
    if (this.committed) return;
    this.up.destroy();
    await this.finished.catch(() => undefined);
    await this.up.settle();
    const uploadId = this.up.uploadId;
    if (uploadId === undefined) return;
    const deadline = Date.now() + (this.o.abortWindowMs ?? 30_000);
    for (let delay = 250; ; delay = Math.min(delay * 2, 4000)) {
      try {
        await this.o.store.client.send(
          new AbortMultipartUploadCommand({
            Bucket: this.o.bucket,
            Key: this.o.key,
            UploadId: uploadId,
          }),
        );
        return;
      } catch (e) {
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404) return; // already gone (NoSuchUpload)
        // Only an unreachable or failing store is worth waiting for; a refusal is final.
        if (!isTransient(e) || Date.now() + delay > deadline) {
          this.o.warn?.(
            `Could not abort the multipart upload ${uploadId} of ${this.url} (${(e as Error).name}): no object was written under that key, but the store keeps the uploaded parts until the upload is aborted. Abort it with: aws s3api abort-multipart-upload --bucket ${this.o.bucket} --key ${this.o.key} --upload-id ${uploadId} (add --endpoint-url for a non-AWS store), or give the bucket a lifecycle rule AbortIncompleteMultipartUpload.`,
          );
          return;
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
