// A real S3-protocol server for tests: s3rver on 127.0.0.1 at a free port (path-style, fixed test
// credentials), or the S3-compatible endpoint named by PMADMIN_TEST_S3_ENDPOINT (e.g. a MinIO; keys
// from PMADMIN_TEST_S3_ACCESS_KEY / PMADMIN_TEST_S3_SECRET_KEY, else AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY). pmadmin always talks to it through a TCP relay on 127.0.0.1 that a test
// can cut and reconnect ("the server stopped mid-upload, then came back") whatever the store.
//
// s3rver lacks ListMultipartUploads, ListParts and AbortMultipartUpload; the harness adds them over
// its own upload directory (test-only shims), so the same assertions run against s3rver and a real
// store.
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
} from "@aws-sdk/client-s3";
import S3rver from "s3rver";

// The SDK warns on stderr that later versions need Node 22; not what these tests are about.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

export interface TestS3 {
  /** The endpoint pmadmin uses (the relay). */
  endpoint: string;
  bucket: string;
  /** Environment for a pmadmin run against this store. */
  env: Record<string, string>;
  /** A client straight to the store (not through the relay). */
  client: S3Client;
  keys(prefix?: string): Promise<string[]>;
  object(key: string): Promise<Buffer | undefined>;
  head(key: string): Promise<{ size: number; metadata: Record<string, string> } | undefined>;
  put(key: string, body: Buffer, metadata?: Record<string, string>): Promise<void>;
  /** Multipart uploads still open (ListMultipartUploads). */
  openUploads(prefix?: string): Promise<Array<{ key: string; uploadId: string }>>;
  /** How many parts an open upload holds (ListParts). */
  partsOf(key: string, uploadId: string): Promise<number>;
  /** Drop every connection and refuse new ones, as a stopped server does. */
  cut(): Promise<void>;
  /** Accept connections again on the same port. */
  reconnect(): Promise<void>;
  /** Bytes the store has sent to pmadmin through the relay so far. */
  bytesDown(): number;
  stop(): Promise<void>;
}

const TEST_KEY = "S3RVER";

/** ListMultipartUploads, ListParts and AbortMultipartUpload for s3rver, over its upload directory. */
function uploadShims(srv: S3rver): S3rver["middleware"][number] {
  return async (ctx, next) => {
    const m = /^\/([^/]+)\/?(.*)$/.exec(ctx.path);
    const bucket = m?.[1];
    const key = m?.[2] || undefined;
    if (!bucket) return next();
    const dir = srv.store.getResourcePath(bucket, undefined, "uploads");
    if (ctx.method === "GET" && key === undefined && "uploads" in ctx.query) {
      const ids = await readdir(dir).catch(() => [] as string[]);
      const rows: string[] = [];
      for (const id of ids) {
        const key = await readFile(path.join(dir, id, "key"), "utf8").catch(() => undefined);
        if (key === undefined || !key.startsWith(ctx.query["prefix"] ?? "")) continue;
        rows.push(`<Upload><Key>${key}</Key><UploadId>${id}</UploadId></Upload>`);
      }
      ctx.type = "application/xml";
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>${bucket}</Bucket><IsTruncated>false</IsTruncated>${rows.join("")}</ListMultipartUploadsResult>`;
      return;
    }
    const id = ctx.query["uploadId"];
    if (ctx.method === "GET" && key !== undefined && id !== undefined && /^[0-9a-f]+$/.test(id)) {
      const names = await readdir(path.join(dir, id)).catch(() => [] as string[]);
      const parts = names.filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b));
      ctx.type = "application/xml";
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?><ListPartsResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${id}</UploadId><IsTruncated>false</IsTruncated>${parts.map((n) => `<Part><PartNumber>${n}</PartNumber><ETag>"x"</ETag></Part>`).join("")}</ListPartsResult>`;
      return;
    }
    if (ctx.method === "DELETE" && key !== undefined && id !== undefined) {
      if (!/^[0-9a-f]+$/.test(id)) {
        ctx.status = 400;
        return;
      }
      await rm(path.join(dir, id), { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = "";
      return;
    }
    return next();
  };
}

/** A TCP relay to `target` that can be cut and reconnected on the same port. */
async function startRelay(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  let down = 0;
  const listen = async (): Promise<void> => {
    server = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      sockets.add(client).add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
      upstream.on("data", (d: Buffer) => (down += d.length));
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server?.once("error", reject);
      server?.listen(port, "127.0.0.1", () => resolve());
    });
    port = (server.address() as net.AddressInfo).port;
  };
  const cut = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return { port: () => port, cut, reconnect: listen, bytesDown: () => down };
}

export async function startTestS3(): Promise<TestS3> {
  const external = process.env["PMADMIN_TEST_S3_ENDPOINT"];
  let srv: S3rver | undefined;
  let dataDir: string | undefined;
  let target: URL;
  let accessKeyId = TEST_KEY;
  let secretAccessKey = TEST_KEY;
  if (external) {
    target = new URL(external);
    accessKeyId =
      process.env["PMADMIN_TEST_S3_ACCESS_KEY"] ?? process.env["AWS_ACCESS_KEY_ID"] ?? "";
    secretAccessKey =
      process.env["PMADMIN_TEST_S3_SECRET_KEY"] ?? process.env["AWS_SECRET_ACCESS_KEY"] ?? "";
  } else {
    dataDir = await mkdtemp(path.join(tmpdir(), "pmadmin-s3rver-"));
    srv = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: dataDir });
    srv.middleware.unshift(uploadShims(srv));
    const addr = await srv.run();
    target = new URL(`http://127.0.0.1:${addr.port}`);
  }
  const relay = await startRelay({
    host: target.hostname,
    port: Number(target.port || (target.protocol === "https:" ? 443 : 80)),
  });
  const region = process.env["PMADMIN_TEST_S3_REGION"] ?? "us-east-1";
  const client = new S3Client({
    endpoint: `${target.protocol}//${target.host}`,
    forcePathStyle: true,
    region,
    credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const bucket = `pmadmin-test-${randomBytes(4).toString("hex")}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const endpoint = `${target.protocol}//127.0.0.1:${relay.port()}`;
  const keys = async (prefix = ""): Promise<string[]> => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const r = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of r.Contents ?? []) if (o.Key) out.push(o.Key);
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  };
  const openUploads = async (prefix = "") => {
    const r = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }),
    );
    return (r.Uploads ?? []).map((u) => ({ key: u.Key ?? "", uploadId: u.UploadId ?? "" }));
  };
  return {
    endpoint,
    bucket,
    client,
    env: {
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_REGION: region,
      AWS_ENDPOINT_URL_S3: endpoint,
      PM_S3_PATH_STYLE: "1",
    },
    keys,
    openUploads,
    async partsOf(key, uploadId) {
      const r = await client.send(
        new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }),
      );
      return (r.Parts ?? []).length;
    },
    async object(key) {
      try {
        const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from(
          await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
        );
      } catch (e) {
        if ((e as { name?: string }).name === "NoSuchKey") return undefined;
        throw e;
      }
    },
    async head(key) {
      try {
        const r = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { size: r.ContentLength ?? -1, metadata: r.Metadata ?? {} };
      } catch (e) {
        if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
          return undefined;
        throw e;
      }
    },
    async put(key, body, metadata) {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, Metadata: metadata }),
      );
    },
    cut: relay.cut,
    reconnect: relay.reconnect,
    bytesDown: relay.bytesDown,
    async stop() {
      await relay.cut();
      // Leave an external store as it was found.
      for (const u of await openUploads().catch(() => [])) {
        await client
          .send(
            new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.key, UploadId: u.uploadId }),
          )
          .catch(() => undefined);
      }
      const all = await keys().catch(() => [] as string[]);
      for (let i = 0; i < all.length; i += 1000) {
        await client
          .send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: all.slice(i, i + 1000).map((Key) => ({ Key })) },
            }),
          )
          .catch(() => undefined);
      }
      await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
      client.destroy();
      if (srv) await srv.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
