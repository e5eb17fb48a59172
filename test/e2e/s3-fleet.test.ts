// `workspace-backup --all DEST [--jobs N]` (issue 14): every workspace, one archive each named
// <ws>-<UTC yyyymmdd-hhmmss>.tar.gz, into a directory or an s3:// prefix; a workspace that fails
// does not stop the others; summary and --json per workspace; exit 1 if any failed; --keep per
// workspace.
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisionedWorkspace } from "../../src/sandbox/provision.js";
import { runBin } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { startTestS3, type TestS3 } from "../helpers/s3.js";

let install: TestInstall;
let wss: ProvisionedWorkspace[];
let s3: TestS3;

beforeAll(async () => {
  s3 = await startTestS3();
  install = await createTestInstall({ workspaces: 0 });
  wss = [];
  for (let i = 0; i < 3; i++) wss.push(await install.addWorkspace({ cases: 1 }));
}, 300_000);
afterAll(async () => {
  await install?.cleanup();
  await s3?.stop();
});

const bin = (args: string[], now: string) =>
  runBin(args, { env: { ...install.env(), ...s3.env, PMADMIN_NOW: now }, timeoutMs: 300_000 });

interface FleetDoc {
  ok: boolean;
  failed: number;
  backups: Array<{
    workspace: string;
    ok: boolean;
    target: string;
    bytes: number | null;
    removed: string[];
    error: { code: string } | null;
  }>;
}

describe("workspace-backup --all", () => {
  it("into a directory: carries on past a failing workspace, exit 1, a row per workspace", async () => {
    const dest = path.join(install.root, "fleet");
    await mkdir(dest);
    const broken = wss[1] as ProvisionedWorkspace;
    const dbPhp = path.join(broken.siteDir, "db.php");
    const original = await readFile(dbPhp, "utf8");
    await writeFile(dbPhp, original.replaceAll(broken.dbPassword, "wrong-password"));
    try {
      const r = await bin(
        ["--json", "workspace-backup", "--all", "--jobs", "2", dest],
        "2026-12-01T03:15:07Z",
      );
      expect(r.exitCode, r.stderr).toBe(1);
      const doc = JSON.parse(r.stdout) as FleetDoc;
      expect(doc).toMatchObject({ ok: false, failed: 1 });
      const names = wss.map((w) => w.name).sort();
      expect(doc.backups.map((b) => b.workspace)).toEqual(names);
      for (const b of doc.backups) {
        if (b.workspace === broken.name) {
          expect(b).toMatchObject({ ok: false, error: { code: "DB.ACCESS_DENIED" } });
        } else {
          expect(b).toMatchObject({
            ok: true,
            target: path.join(dest, `${b.workspace}-20261201-031507.tar.gz`),
          });
        }
      }
      expect((await readdir(dest)).sort()).toEqual(
        names.filter((n) => n !== broken.name).map((n) => `${n}-20261201-031507.tar.gz`),
      );
      expect(r.stderr).not.toContain("wrong-password");
      const text = await bin(["workspace-backup", "--all", dest], "2026-12-01T03:20:00Z");
      expect(text.exitCode).toBe(1);
      expect(text.stdout).toMatch(new RegExp(`${broken.name}\\s+FAILED`));
      expect(text.stdout).toContain(`2 of 3 workspaces backed up to ${dest}.`);
    } finally {
      await writeFile(dbPhp, original);
    }
  });

  it("into an s3:// prefix with --keep 1: the newest archive of each workspace stays", async () => {
    const dest = `s3://${s3.bucket}/fleet/`;
    for (const now of ["2026-12-01T03:00:00Z", "2026-12-02T03:00:00Z"]) {
      const r = await bin(
        ["--json", "workspace-backup", "--all", "--jobs", "3", "--keep", "1", dest],
        now,
      );
      expect(r.exitCode, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as FleetDoc).ok).toBe(true);
      await new Promise((res) => setTimeout(res, 1100)); // LastModified has one-second steps on AWS
    }
    expect(await s3.keys("fleet/")).toEqual(
      wss.map((w) => `fleet/${w.name}-20261202-030000.tar.gz`).sort(),
    );
    expect(await s3.openUploads()).toEqual([]);
  });

  it("workspace names beside --all, and --jobs without --all, are usage errors", async () => {
    const a = await bin(
      ["workspace-backup", "--all", (wss[0] as ProvisionedWorkspace).name, "/tmp"],
      "2026-12-01T00:00:00Z",
    );
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toContain("BACKUP.ALL_DEST");
    const j = await bin(
      ["workspace-backup", "--jobs", "2", (wss[0] as ProvisionedWorkspace).name],
      "2026-12-01T00:00:00Z",
    );
    expect(j.exitCode).toBe(2);
    expect(j.stderr).toContain("USAGE.JOBS_WITHOUT_ALL");
    const split = await bin(
      ["workspace-backup", "--all", "-s", "10", `s3://${s3.bucket}/fleet-split/`],
      "2026-12-01T00:00:00Z",
    );
    expect(split.exitCode).toBe(2);
    expect(split.stderr).toContain("S3.SPLIT_UNSUPPORTED");
    expect(await s3.keys("fleet-split/")).toEqual([]);
  });
});
