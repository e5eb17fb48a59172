// An archive read from an object in S3-compatible storage. Every open() reads the object again
// from its first byte in ranged GETs (a few MiB each, streamed, never the whole object in memory),
// each conditional on the ETag seen at the start: an object replaced between pass 1 and pass 2
// fails the read instead of mixing two archives.
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { Readable } from "node:stream";
import { failure } from "../../errors.js";
import { s3Error, type S3Store } from "../s3/client.js";
import { s3Url, type S3Location } from "../s3/location.js";
import type { ArchiveSource } from "./source.js";

const RANGE_BYTES = 16 * 1024 * 1024;

export async function s3Source(loc: S3Location, store: S3Store): Promise<ArchiveSource> {
  const url = s3Url(loc);
  const ctx = { action: "read", bucket: loc.bucket, key: loc.key, store };
  const head = await store.client
    .send(new HeadObjectCommand({ Bucket: loc.bucket, Key: loc.key }))
    .catch(async (e: unknown) => {
      // A HEAD answers a bare 404 for a missing bucket too: ask the bucket to tell them apart.
      if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
        await store.client
          .send(new HeadBucketCommand({ Bucket: loc.bucket }))
          .catch((b: unknown) => {
            const missing =
              (b as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
            throw s3Error(missing ? { name: "NoSuchBucket" } : e, ctx);
          });
      }
      throw s3Error(e, ctx);
    });
  const bytes = head.ContentLength ?? 0;
  const etag = head.ETag;

  async function* range(from: number, to: number): AsyncGenerator<Buffer> {
    let r;
    try {
      r = await store.client.send(
        new GetObjectCommand({
          Bucket: loc.bucket,
          Key: loc.key,
          Range: `bytes=${from}-${to - 1}`,
          ...(etag ? { IfMatch: etag } : {}),
        }),
      );
    } catch (e) {
      if ((e as { name?: string }).name === "PreconditionFailed") {
        throw failure("S3.CHANGED", `${url} changed while it was being read.`, {
          hint: "Something replaced the object during the restore; run the restore again once it is stable.",
        });
      }
      throw s3Error(e, ctx);
    }
    let got = 0;
    try {
      for await (const chunk of r.Body as AsyncIterable<Uint8Array>) {
        got += chunk.length;
        yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      }
    } catch (e) {
      throw s3Error(e, ctx);
    }
    if (got !== to - from) {
      throw failure(
        "S3.SHORT_READ",
        `Reading ${url} returned ${got} bytes instead of ${to - from} at offset ${from}.`,
        {
          hint: "The connection to the store broke; run the restore again.",
        },
      );
    }
  }

  async function* whole(): AsyncGenerator<Buffer> {
    for (let off = 0; off < bytes; off += RANGE_BYTES)
      yield* range(off, Math.min(bytes, off + RANGE_BYTES));
  }

  let gzip = false;
  if (bytes >= 2) {
    const lead: Buffer[] = [];
    for await (const c of range(0, 2)) lead.push(c);
    const b = Buffer.concat(lead);
    gzip = b[0] === 0x1f && b[1] === 0x8b;
  }
  return {
    file: url,
    parts: [url],
    bytes,
    gzip,
    open: () => Readable.from(whole(), { objectMode: false }),
  };
}
