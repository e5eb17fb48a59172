// Encrypted backups to s3:// (issues 14 + 15): the uploaded object is an age file (.age appended,
// pmadmin-encryption metadata), --verify reads it back from the store without the identity,
// `backups verify s3://…` and a restore from s3:// decrypt it with --identity.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDbPhp } from "../../src/install/db-php.js";
import type { ProvisionedWorkspace } from "../../src/sandbox/provision.js";
import { runBin } from "../helpers/cli.js";
import { uniqueName } from "../helpers/db.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { tableChecksums } from "../helpers/restore-compare.js";
import { startTestS3, type TestS3 } from "../helpers/s3.js";

let install: TestInstall;
let ws: ProvisionedWorkspace;
let s3: TestS3;
let keyDir: string;
let keyFile: string;
let recipient: string;

beforeAll(async () => {
  s3 = await startTestS3();
  install = await createTestInstall({ workspaces: 0 });
  ws = await install.addWorkspace({ cases: 3 });
  keyDir = await mkdtemp(path.join(tmpdir(), "pmadmin-s3-age-"));
  keyFile = path.join(keyDir, "key.txt");
  execFileSync("age-keygen", ["-o", keyFile], { stdio: "pipe" });
  recipient = execFileSync("age-keygen", ["-y", keyFile]).toString().trim();
}, 300_000);
afterAll(async () => {
  await install?.cleanup();
  await s3?.stop();
  await rm(keyDir, { recursive: true, force: true });
});

const bin = (args: string[]) =>
  runBin(args, { env: { ...install.env(), ...s3.env }, timeoutMs: 300_000 });

describe("encrypted backups in S3", () => {
  it("upload, --verify, backups verify and restore from s3://", async () => {
    const url = `s3://${s3.bucket}/enc/wf.tar.gz`;
    const b = await bin(["workspace-backup", "--encrypt-to", recipient, "--verify", ws.name, url]);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(b.stdout).toContain("verified");
    const body = await s3.object("enc/wf.tar.gz.age");
    expect(body?.subarray(0, 22).toString("latin1")).toBe("age-encryption.org/v1\n");
    expect((await s3.head("enc/wf.tar.gz.age"))?.metadata).toMatchObject({
      "pmadmin-encryption": "age",
    });
    const v = await bin(["backups", "verify", "--identity", keyFile, `${url}.age`]);
    expect(v.exitCode, v.stderr + v.stdout).toBe(0);
    expect(v.stdout).toContain(`${ws.name}: sound`);
    const none = await bin(["backups", "verify", `${url}.age`]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain("AGE.KEY_REQUIRED");
    const name = uniqueName("s3age");
    const r = await bin(["workspace-restore", "--identity", keyFile, `${url}.age`, name]);
    expect(r.exitCode, r.stderr).toBe(0);
    const db = parseDbPhp(
      await readFile(path.join(install.sharedDir, "sites", name, "db.php"), "utf8"),
    );
    install.track(db.wf.name, db.wf.user);
    expect(await tableChecksums(db.wf.name)).toEqual(await tableChecksums(ws.database));
  });
});
