import { describe, expect, it } from "vitest";
import { partSuffix } from "../../src/archive/parts.js";
import { planBackup, type PlanInput } from "../../src/backup/plan.js";

const base: PlanInput = {
  positionals: [],
  filesize: undefined,
  keep: undefined,
  skipUnreadable: false,
  sharedDir: "/sh",
  cwd: "/cwd",
  platform: "linux",
};
const plan = (o: Partial<PlanInput>) => planBackup({ ...base, ...o });

describe("planBackup", () => {
  it("one positional: <ws>.tar in <shared>/backups, uncompressed", () => {
    const p = plan({ positionals: ["ws"] });
    expect(p.workspaces).toEqual(["ws"]);
    expect(p.target).toMatchObject({
      path: "/sh/backups/ws.tar",
      gzip: false,
      inSharedBackups: true,
      partBytes: undefined,
    });
  });
  it("two positionals: workspace and file; a path is relative to the cwd", () => {
    expect(plan({ positionals: ["ws", "out/x.tgz"] }).target).toMatchObject({
      path: "/cwd/out/x.tgz",
      gzip: true,
      inSharedBackups: false,
    });
  });
  it("more: the last is the file, the rest are workspaces", () => {
    const p = plan({ positionals: ["a", "b", "c", "all.tar.gz"] });
    expect(p.workspaces).toEqual(["a", "b", "c"]);
    expect(p.target.path).toBe("/sh/backups/all.tar.gz");
  });
  it("refuses unknown endings with the list of supported ones (exit 2)", () => {
    expect(() => plan({ positionals: ["ws", "x.zip"] })).toThrow(/\.tar, \.tar\.gz, \.tgz/);
    try {
      plan({ positionals: ["ws", "ws2"] });
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });
  it("split: MiB parts, always gzip, 0 falls back to 1000, refused on win32 (exit 3)", () => {
    expect(plan({ positionals: ["ws"], filesize: "5" }).target).toMatchObject({
      partBytes: 5 * 1048576,
      gzip: true,
    });
    expect(plan({ positionals: ["ws"], filesize: "0" }).target.partBytes).toBe(1000 * 1048576);
    expect(() => plan({ positionals: ["ws"], filesize: "1.5" })).toThrow(/whole number/);
    try {
      plan({ positionals: ["ws"], filesize: "5", platform: "win32" });
      expect.unreachable();
    } catch (e) {
      expect((e as { exitCode: number; code: string }).exitCode).toBe(3);
    }
  });
  it("no workspace is a usage error", () => {
    expect(() => plan({ positionals: [] })).toThrow(/needs the WORKSPACE to back up/);
  });
});

describe("partSuffix", () => {
  it("follows GNU split -d", () => {
    expect([0, 1, 89, 90, 91, 989, 990].map(partSuffix)).toEqual([
      "00",
      "01",
      "89",
      "9000",
      "9001",
      "9899",
      "990000",
    ]);
  });
});
