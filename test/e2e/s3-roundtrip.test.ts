// Off-site backups (issue 14), through the built binary against a real S3-protocol server
// (test/helpers/s3.ts: s3rver, or PMADMIN_TEST_S3_ENDPOINT): a backup streams into a multipart
// upload that is completed only when whole; a restore from s3:// under a new name gives identical
// CHECKSUM TABLE results and file tree; -s/-m and malformed URLs are usage errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import type { ProvisionedWorkspace } from "../../src/sandbox/provision.js";
import { SPECIAL_ENTRIES } from "../../src/sandbox/layout.js";
import path from "node:path";
import { runBin } from "../helpers/cli.js";
import { uniqueName } from "../helpers/db.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { tableChecksums, treeFingerprint } from "../helpers/restore-compare.js";
import { startTestS3, type TestS3 } from "../helpers/s3.js";

let install: TestInstall;
let ws: ProvisionedWorkspace;
let s3: TestS3;
let sourceTables: Record<string, string>;
let sourceTree: Record<string, string>;
const notDbPhp = (rel: string): boolean => rel === "db.php";

beforeAll(async () => {
  s3 = await startTestS3();
  install = await createTestInstall({ workspaces: 0 });
  // Random-filled documents do not compress: several 5 MiB+ parts even as .tar.gz.
  ws = await install.addWorkspace({ cases: 12, docBytes: 1024 * 1024 });
  sourceTables = await tableChecksums(ws.database);
  sourceTree = await treeFingerprint(ws.siteDir, notDbPhp);
}, 300_000);
afterAll(async () => {
  await install?.cleanup();
  await s3?.stop();
});

const bin = (args: string[], env: Record<string, string> = {}) =>
  runBin(args, { env: { ...install.env(), ...s3.env, ...env }, timeoutMs: 300_000 });

describe("workspace-backup to s3://", () => {
  it("streams a .tar.gz into one object, completed only when whole, with pmadmin metadata", async () => {
    const key = "daily/rt-1.tar.gz";
    const r = await bin(["--json", "workspace-backup", ws.name, `s3://${s3.bucket}/${key}`]);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      files: Array<{ path: string; bytes: number; sha256: string }>;
      sha256: string;
      bytes: number;
    };
    expect(doc.files).toEqual([
      { path: `s3://${s3.bucket}/${key}`, bytes: doc.bytes, sha256: doc.sha256 },
    ]);
    const body = await s3.object(key);
    expect(body?.length).toBe(doc.bytes);
    expect(doc.bytes).toBeGreaterThan(10 * 1024 * 1024); // several parts
    expect(
      createHash("sha256")
        .update(body ?? Buffer.alloc(0))
        .digest("hex"),
    ).toBe(doc.sha256);
    expect(body?.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const head = await s3.head(key);
    expect(head?.metadata).toMatchObject({
      "pmadmin-workspaces": ws.name,
      "pmadmin-compression": "gzip",
    });
    expect(await s3.openUploads()).toEqual([]);
    expect(await s3.keys()).toEqual([key]);
    // No secret in what was printed.
    expect(r.stdout + r.stderr).not.toContain(s3.env["AWS_SECRET_ACCESS_KEY"]);
  });

  it("s3://BUCKET/PREFIX/ gets the name pmadmin would choose locally (<ws>.tar, uncompressed)", async () => {
    const r = await bin(["workspace-backup", ws.name, `s3://${s3.bucket}/pfx/`]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`s3://${s3.bucket}/pfx/${ws.name}.tar`);
    const body = await s3.object(`pfx/${ws.name}.tar`);
    expect(body?.subarray(257, 263).toString("latin1")).toBe("ustar\u0000");
    expect(await s3.openUploads()).toEqual([]);
  });

  it("-s with an s3:// target, and a malformed URL, exit 2 before anything is written", async () => {
    const before = await s3.keys();
    const s = await bin(["workspace-backup", "-s", "10", ws.name, `s3://${s3.bucket}/x.tar`]);
    expect(s.exitCode).toBe(2);
    expect(s.stderr).toContain("S3.SPLIT_UNSUPPORTED");
    for (const bad of ["s3://Bad_Bucket/x.tar", "s3://ab/x.tar", `s3://${s3.bucket}/a//x.tar`]) {
      const b = await bin(["workspace-backup", ws.name, bad]);
      expect(b.exitCode, bad).toBe(2);
      expect(b.stderr).toContain("S3.BAD_URL");
    }
    const m = await bin(["workspace-restore", "-m", `s3://${s3.bucket}/x.tar`, uniqueName("m")]);
    expect(m.exitCode).toBe(2);
    expect(m.stderr).toContain("S3.SPLIT_UNSUPPORTED");
    expect(await s3.keys()).toEqual(before);
  });
});

describe("workspace-restore from s3://", () => {
  it("round trip: backup to S3, restore under a new name: tables and file tree identical", async () => {
    const url = `s3://${s3.bucket}/rt/${ws.name}.tar.gz`;
    const b = await bin(["workspace-backup", ws.name, url]);
    expect(b.exitCode, b.stderr).toBe(0);
    const info = await bin(["workspace-restore", "-i", url]);
    expect(info.exitCode, info.stderr).toBe(0);
    expect(info.stdout).toContain(ws.name);
    const name = uniqueName("s3rt");
    const r = await bin(["--json", "workspace-restore", url, name]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, workspace: name, source: ws.name });
    const siteDir = path.join(install.sharedDir, "sites", name);
    const { parseDbPhp } = await import("../../src/install/db-php.js");
    const { readFile } = await import("node:fs/promises");
    const db = parseDbPhp(await readFile(path.join(siteDir, "db.php"), "utf8"));
    install.track(db.wf.name, db.wf.user);
    expect(await tableChecksums(db.wf.name)).toEqual(sourceTables);
    const tree = await treeFingerprint(siteDir, notDbPhp);
    expect(tree).toEqual(sourceTree);
    expect(tree[SPECIAL_ENTRIES.symlink]).toBe(`link ${SPECIAL_ENTRIES.symlinkTarget}`);
    expect(tree[SPECIAL_ENTRIES.secretFile]).toMatch(/^file 600 /);
  });

  it("a missing bucket is told from a missing object: exit 1 naming bucket and endpoint", async () => {
    const r = await bin(["workspace-restore", "-i", "s3://pmadmin-no-such-bucket/x.tar.gz"]);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain("[S3.NO_BUCKET]");
    expect(r.stderr).toContain("pmadmin-no-such-bucket");
    expect(r.stderr).toContain(s3.endpoint);
  });

  it("a missing object is named, exit 2; nothing is created", async () => {
    const name = uniqueName("s3no");
    const r = await bin(["workspace-restore", `s3://${s3.bucket}/nope/x.tar.gz`, name]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("S3.NO_OBJECT");
    expect(r.stderr).toContain(`s3://${s3.bucket}/nope/x.tar.gz`);
  });
});
