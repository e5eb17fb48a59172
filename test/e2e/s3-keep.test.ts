// --keep N in an s3://BUCKET/PREFIX/ (issue 14) follows the same family rule as in a directory:
// same prefix (not below it), same workspace set, same name once its date/time is masked, pmadmin
// archives only (told by their leading tar headers, read with a ranged GET).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisionedWorkspace } from "../../src/sandbox/provision.js";
import { runBin } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { startTestS3, type TestS3 } from "../helpers/s3.js";

let install: TestInstall;
let ws: ProvisionedWorkspace;
let other: ProvisionedWorkspace;
let s3: TestS3;

beforeAll(async () => {
  s3 = await startTestS3();
  install = await createTestInstall({ workspaces: 0 });
  ws = await install.addWorkspace({ cases: 2 });
  other = await install.addWorkspace({ cases: 1 });
}, 300_000);
afterAll(async () => {
  await install?.cleanup();
  await s3?.stop();
});

const bin = (args: string[]) =>
  runBin(args, { env: { ...install.env(), ...s3.env }, timeoutMs: 300_000 });

describe("--keep on an s3:// prefix", () => {
  it("removes only older pmadmin backups of the same family in the same prefix", async () => {
    const url = (day: string) => `s3://${s3.bucket}/pm/${ws.name}-2026-12-${day}.tar.gz`;
    const first = await bin(["workspace-backup", ws.name, url("01")]);
    expect(first.exitCode, first.stderr).toBe(0);
    const body = (await s3.object(`pm/${ws.name}-2026-12-01.tar.gz`)) as Buffer;
    // Not of the family, or not pmadmin's, or below the prefix, or another workspace set: kept.
    await s3.put("pm/before-upgrade.tar.gz", body);
    await s3.put(`pm/${ws.name}-2026-11-30.tar.gz`, Buffer.from("not a pmadmin archive"));
    await s3.put(`pm/sub/${ws.name}-2026-11-29.tar.gz`, body);
    const o = await bin([
      "workspace-backup",
      other.name,
      `s3://${s3.bucket}/pm/${ws.name}-2026-11-28.tar.gz`,
    ]);
    expect(o.exitCode, o.stderr).toBe(0);
    for (const day of ["02", "03"]) {
      await new Promise((r) => setTimeout(r, 1100)); // LastModified has one-second steps on AWS
      const r = await bin(["--json", "workspace-backup", "--keep", "2", ws.name, url(day)]);
      expect(r.exitCode, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { removed: string[] };
      expect(doc.removed).toEqual(day === "02" ? [] : [url("01")]);
    }
    const dry = await bin([
      "--dry-run",
      "--json",
      "workspace-backup",
      "--keep",
      "1",
      ws.name,
      url("04"),
    ]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect((JSON.parse(dry.stdout) as { wouldRemove: string[] }).wouldRemove).toEqual([
      url("03"),
      url("02"),
    ]);
    expect(await s3.keys()).toEqual(
      [
        "pm/before-upgrade.tar.gz",
        `pm/${ws.name}-2026-11-28.tar.gz`,
        `pm/${ws.name}-2026-11-30.tar.gz`,
        `pm/${ws.name}-2026-12-02.tar.gz`,
        `pm/${ws.name}-2026-12-03.tar.gz`,
        `pm/sub/${ws.name}-2026-11-29.tar.gz`,
      ].sort(),
    );
  });
});

describe("backups list", () => {
  it("an s3:// prefix: newest first, workspaces and creation time from the archive, others marked", async () => {
    const r = await bin(["--json", "backups", "list", `s3://${s3.bucket}/pm/`]);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      location: string;
      backups: Array<{
        name: string;
        workspaces: string[] | null;
        createdFrom: string;
        created: string;
        pmadmin: boolean;
        compressed: boolean;
        encrypted: boolean;
        bytes: number;
      }>;
      newestByWorkspace: Record<string, { location: string }>;
    };
    expect(doc.location).toBe(`s3://${s3.bucket}/pm/`);
    const byName = Object.fromEntries(doc.backups.map((b) => [b.name, b]));
    // Nothing below the prefix; every object of the prefix that looks like a backup.
    expect(Object.keys(byName).sort()).toEqual(
      [
        "before-upgrade.tar.gz",
        `${ws.name}-2026-11-28.tar.gz`,
        `${ws.name}-2026-11-30.tar.gz`,
        `${ws.name}-2026-12-02.tar.gz`,
        `${ws.name}-2026-12-03.tar.gz`,
      ].sort(),
    );
    expect(byName[`${ws.name}-2026-12-03.tar.gz`]).toMatchObject({
      workspaces: [ws.name],
      createdFrom: "archive",
      pmadmin: true,
      compressed: true,
      encrypted: false,
    });
    expect(byName[`${ws.name}-2026-11-28.tar.gz`]?.workspaces).toEqual([other.name]);
    expect(byName[`${ws.name}-2026-11-30.tar.gz`]).toMatchObject({
      workspaces: null,
      createdFrom: "mtime",
      pmadmin: false,
    });
    const created = doc.backups.map((b) => b.created);
    expect(created).toEqual([...created].sort().reverse());
    expect(doc.backups[0]?.name).toBe(`${ws.name}-2026-12-03.tar.gz`);
    expect(doc.newestByWorkspace[ws.name]?.location).toBe(
      `s3://${s3.bucket}/pm/${ws.name}-2026-12-03.tar.gz`,
    );
    expect(doc.newestByWorkspace[other.name]).toBeDefined();
    const text = await bin(["backups", "list", `s3://${s3.bucket}/pm`]);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`gzip,pmadmin\\s+${ws.name}-2026-12-03\\.tar\\.gz`));
    expect(text.stdout).toMatch(/gzip,other\s+.*-2026-11-30\.tar\.gz/);
  });

  it("a directory (default <shared>/backups), split parts as one; a missing directory is exit 2", async () => {
    const empty = await bin(["backups", "list"]);
    expect(empty.exitCode, empty.stderr).toBe(0);
    const a = await bin(["workspace-backup", ws.name, `${ws.name}-a.tar`]);
    expect(a.exitCode, a.stderr).toBe(0);
    const b = await bin(["workspace-backup", "-s", "1", other.name, `${other.name}-b.tar`]);
    expect(b.exitCode, b.stderr).toBe(0);
    const r = await bin(["--json", "backups", "list"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      backups: Array<{ name: string; workspaces: string[]; parts: number; pmadmin: boolean }>;
    };
    expect(doc.backups.map((x) => [x.name, x.workspaces, x.pmadmin])).toEqual(
      expect.arrayContaining([
        [`${ws.name}-a.tar`, [ws.name], true],
        [`${other.name}-b.tar`, [other.name], true],
      ]),
    );
    expect(doc.backups.find((x) => x.name === `${other.name}-b.tar`)?.parts).toBeGreaterThan(0);
    const missing = await bin(["backups", "list", "/nonexistent/pmadmin-backups"]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("BACKUPS.NO_DIRECTORY");
  });
});
