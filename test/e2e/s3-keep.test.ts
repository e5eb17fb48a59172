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
