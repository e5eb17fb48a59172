// Where backups lie side by side: a directory, or an s3://BUCKET/PREFIX/ in object storage. Retention
// (--keep) and `backups list` see both the same way: the entries directly inside, their leading bytes
// (to tell a pmadmin archive and its workspaces), and removal.
import { createReadStream } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
} from "@aws-sdk/client-s3";
import { s3Error, type S3Store } from "../archive/s3/client.js";
import { s3Url, type S3Location } from "../archive/s3/location.js";

export interface PlaceEntry {
  name: string;
  bytes: number;
  mtimeMs: number;
}

export interface BackupPlace {
  /** The directory, or s3://BUCKET/PREFIX/. */
  where: string;
  /** How an entry is named to the user (its path or URL). */
  label(name: string): string;
  /** Regular files (objects) directly inside; nothing below a further "/". */
  entries(): Promise<PlaceEntry[]>;
  /** Up to `maxBytes` leading bytes of an entry. */
  read(name: string, maxBytes: number): Readable;
  /** What pmadmin's upload recorded about the entry (object metadata), if anything. */
  metadata(name: string): Promise<Record<string, string>>;
  remove(name: string): Promise<void>;
}

export function dirPlace(dir: string): BackupPlace {
  return {
    where: dir,
    label: (name) => path.join(dir, name),
    async entries() {
      const out: PlaceEntry[] = [];
      for (const name of await readdir(dir)) {
        const st = await stat(path.join(dir, name)).catch(() => undefined);
        if (st?.isFile()) out.push({ name, bytes: st.size, mtimeMs: st.mtimeMs });
      }
      return out;
    },
    read: (name, maxBytes) =>
      createReadStream(path.join(dir, name), { end: maxBytes - 1, highWaterMark: 64 * 1024 }),
    metadata: () => Promise.resolve({}),
    remove: (name) => rm(path.join(dir, name), { force: true }),
  };
}

export function s3Place(store: S3Store, loc: S3Location): BackupPlace {
  const { bucket } = loc;
  const prefix = loc.key;
  const fail = (action: string, key?: string) => (e: unknown) => {
    throw s3Error(e, { action, bucket, key, store });
  };
  return {
    where: s3Url({ bucket, key: prefix }),
    label: (name) => s3Url({ bucket, key: prefix + name }),
    async entries() {
      const out: PlaceEntry[] = [];
      let token: string | undefined;
      do {
        const r = await store.client
          .send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: prefix,
              Delimiter: "/",
              ContinuationToken: token,
            }),
          )
          .catch(fail("list", prefix));
        for (const o of r.Contents ?? []) {
          const name = (o.Key ?? "").slice(prefix.length);
          if (name === "" || name.includes("/")) continue;
          out.push({ name, bytes: o.Size ?? 0, mtimeMs: o.LastModified?.getTime() ?? 0 });
        }
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
      return out;
    },
    read(name, maxBytes) {
      async function* body(): AsyncGenerator<Buffer> {
        const r = await store.client
          .send(
            new GetObjectCommand({
              Bucket: bucket,
              Key: prefix + name,
              Range: `bytes=0-${maxBytes - 1}`,
            }),
          )
          .catch(fail("read", prefix + name));
        for await (const c of r.Body as AsyncIterable<Uint8Array>) yield Buffer.from(c);
      }
      return Readable.from(body(), { objectMode: false });
    },
    async metadata(name) {
      const h = await store.client
        .send(new HeadObjectCommand({ Bucket: bucket, Key: prefix + name }))
        .catch(fail("read", prefix + name));
      return h.Metadata ?? {};
    },
    async remove(name) {
      await store.client
        .send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + name }))
        .catch(fail("remove", prefix + name));
    },
  };
}
