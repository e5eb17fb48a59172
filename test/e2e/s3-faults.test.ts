// Off-site backups under faults (issue 14), through the built binary against a real S3-protocol
// server (test/helpers/s3.ts). A failed or interrupted upload leaves no object under the final
// key, no multipart upload open and an older object of the key untouched; errors name the bucket,
// key and endpoint without a secret; a damaged object is refused before the restore changes anything.
import { readdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { tmpdir } from "node:os";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisionedWorkspace } from "../../src/sandbox/provision.js";
import { BIN, runBin } from "../helpers/cli.js";
import { uniqueName } from "../helpers/db.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { restoreFootprint } from "../helpers/restore-compare.js";
import { startTestS3, type TestS3 } from "../helpers/s3.js";

let install: TestInstall;
let ws: ProvisionedWorkspace;
let s3: TestS3;
const OLD = Buffer.from("an older backup that must survive\n");

beforeAll(async () => {
  s3 = await startTestS3();
  install = await createTestInstall({ workspaces: 0 });
  ws = await install.addWorkspace({ cases: 24, docBytes: 1024 * 1024 });
}, 300_000);
afterAll(async () => {
  await install?.cleanup();
  await s3?.stop();
});

const env = (extra: Record<string, string> = {}) => ({
  ...install.env(),
  ...s3.env,
  NO_COLOR: "1",
  ...extra,
});
const bin = (args: string[], extra: Record<string, string> = {}) =>
  runBin(args, { env: env(extra), timeoutMs: 300_000 });

async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const dumpStages = async (): Promise<string[]> =>
  (await readdir(tmpdir())).filter((n) => n.startsWith(".pmadmin-dump-"));

/**
 * Starts a backup to `key` over an older object there, and waits until its upload is open with
 * at least one part stored: the upload is under way.
 */
async function startUpload(key: string) {
  await s3.put(key, OLD);
  const child = execa(
    process.execPath,
    [BIN, "workspace-backup", ws.name, `s3://${s3.bucket}/${key}`],
    {
      env: env(),
      reject: false,
      timeout: 300_000,
    },
  );
  await until("a part of the multipart upload to be stored", async () => {
    const u = (await s3.openUploads(key)).find((x) => x.key === key);
    return u !== undefined && (await s3.partsOf(key, u.uploadId)) > 0;
  });
  return { child };
}

async function expectClean(key: string): Promise<void> {
  expect(await s3.object(key)).toEqual(OLD);
  expect(await s3.openUploads()).toEqual([]);
  expect(await s3.keys(key)).toEqual([key]);
}

describe("a backup to s3:// that cannot finish", () => {
  it("the server stops mid-upload and comes back: exit 1, older object untouched, no upload left open", async () => {
    const key = "faults/stopped.tar.gz";
    const stagesBefore = await dumpStages();
    const { child } = await startUpload(key);
    await s3.cut();
    await new Promise((r) => setTimeout(r, 1500));
    await s3.reconnect();
    const r = await child;
    expect(r.exitCode, String(r.stderr)).toBe(1);
    expect(String(r.stderr)).toContain("[S3.UNREACHABLE]");
    expect(String(r.stderr)).toContain(s3.endpoint);
    expect(String(r.stderr)).toContain(`s3://${s3.bucket}/${key}`);
    expect(String(r.stderr)).not.toMatch(/\n\s+at .+:\d+:\d+|INTERNAL/);
    await expectClean(key);
    expect(await dumpStages()).toEqual(stagesBefore);
  });

  it("SIGTERM during the upload: exit 130, older object untouched, no upload left open", async () => {
    const key = "faults/sigterm.tar";
    const { child } = await startUpload(key);
    child.kill("SIGTERM");
    const r = await child;
    expect(r.exitCode, String(r.stderr)).toBe(130);
    expect(String(r.stderr)).toContain("[INTERRUPTED]");
    await expectClean(key);
  });

  it("wrong credentials: exit 1 naming bucket, key and endpoint, never the secret", async () => {
    const secret = "wrong-secret-9f8e7d6c5b";
    const r = await bin(["workspace-backup", ws.name, `s3://${s3.bucket}/faults/creds.tar`], {
      // s3rver checks the key id only (it does not verify SigV4 signatures); a real store both.
      AWS_ACCESS_KEY_ID: "PMADMINWRONGKEY",
      AWS_SECRET_ACCESS_KEY: secret,
    });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain("[S3.ACCESS_DENIED]");
    expect(r.stderr).toContain(`s3://${s3.bucket}/faults/creds.tar`);
    expect(r.stderr).toContain("AWS_SECRET_ACCESS_KEY");
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(await s3.keys("faults/creds")).toEqual([]);
  });

  it("missing bucket: exit 1 naming the bucket and endpoint, and how to fix it", async () => {
    const r = await bin([
      "--json",
      "workspace-backup",
      ws.name,
      "s3://pmadmin-no-such-bucket/x.tar",
    ]);
    expect(r.exitCode, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      error: { code: string; message: string; hint: string };
    };
    expect(doc.error.code).toBe("S3.NO_BUCKET");
    expect(doc.error.message).toContain("pmadmin-no-such-bucket");
    expect(doc.error.message).toContain(s3.endpoint);
    expect(doc.error.hint).toMatch(/mb s3:\/\/pmadmin-no-such-bucket/);
    // A dry run checks the bucket too.
    const dry = await bin([
      "--dry-run",
      "workspace-backup",
      ws.name,
      "s3://pmadmin-no-such-bucket/x.tar",
    ]);
    expect(dry.exitCode, dry.stderr).toBe(1);
    expect(dry.stderr).toContain("[S3.NO_BUCKET]");
  });

  it("unreachable endpoint: exit 1 naming the endpoint", async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const r = await bin([
      "workspace-backup",
      "--s3-endpoint",
      `http://127.0.0.1:${port}`,
      ws.name,
      `s3://${s3.bucket}/faults/unreach.tar`,
    ]);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain("[S3.UNREACHABLE]");
    expect(r.stderr).toContain(`http://127.0.0.1:${port}`);
  });
});

describe("a restore from a damaged object", () => {
  let good: Buffer;
  beforeAll(async () => {
    const key = "faults/good.tar";
    const b = await bin(["workspace-backup", ws.name, `s3://${s3.bucket}/${key}`]);
    expect(b.exitCode, b.stderr).toBe(0);
    good = (await s3.object(key)) as Buffer;
  }, 300_000);

  async function expectRefused(key: string, body: Buffer, code: RegExp): Promise<void> {
    await s3.put(key, body);
    const name = uniqueName("s3bad");
    const before = await restoreFootprint(path.join(install.sharedDir, "sites"), [name]);
    const r = await bin(["workspace-restore", `s3://${s3.bucket}/${key}`, name]);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(code);
    expect(await restoreFootprint(path.join(install.sharedDir, "sites"), [name])).toEqual(before);
  }

  it("truncated after upload: refused before any change", async () => {
    await expectRefused(
      "faults/truncated.tar",
      good.subarray(0, Math.floor(good.length * 0.6)),
      /RESTORE\.|corrupt|truncated/i,
    );
  });

  it("altered after upload (one byte of a document): refused before any change", async () => {
    const bad = Buffer.from(good);
    const at = Math.floor(bad.length / 2);
    bad[at] = (bad[at] ?? 0) ^ 0xff;
    await expectRefused("faults/altered.tar", bad, /RESTORE\.|checksum|corrupt/i);
  });

  it("the server stops while the second pass loads it: exit 1, nothing left of the restore", async () => {
    const name = uniqueName("s3cut");
    const before = await restoreFootprint(path.join(install.sharedDir, "sites"), [name]);
    const start = s3.bytesDown();
    const child = execa(
      process.execPath,
      [BIN, "workspace-restore", `s3://${s3.bucket}/faults/good.tar`, name],
      {
        env: env(),
        reject: false,
        timeout: 300_000,
      },
    );
    // Pass 1 reads the whole object; a quarter into pass 2 the store goes away.
    await until("the second pass to be under way", () =>
      Promise.resolve(s3.bytesDown() - start > good.length * 1.25),
    );
    await s3.cut();
    const r = await child;
    await s3.reconnect();
    expect(r.exitCode, String(r.stderr)).toBe(1);
    expect(String(r.stderr)).toMatch(/\[S3\.(UNREACHABLE|SHORT_READ)\]/);
    expect(await restoreFootprint(path.join(install.sharedDir, "sites"), [name])).toEqual(before);
  });
});
