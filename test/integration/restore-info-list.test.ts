// `workspace-restore -i`: a bare name finds the archive with any ending pmadmin writes (and split
// parts) as the restore itself does, and `-i --list` lists the entries like `tar tv`.
import { copyFile, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

let install: TestInstall;
let ws: TestInstall["workspaces"][number];
let backups: string;
const pm = (...args: string[]) => runInProcess(args, { env: install.env() });

beforeAll(async () => {
  install = await createTestInstall({ cases: 3 });
  ws = install.workspaces[0] as TestInstall["workspaces"][number];
  backups = path.join(install.sharedDir, "backups");
  const gz = await pm("workspace-backup", ws.name, "daily-2026-12-08.tar.gz");
  expect(gz.exitCode, gz.stderr).toBe(0);
  const parts = await pm("workspace-backup", "-s", "1", ws.name, "split.tar.gz");
  expect(parts.exitCode, parts.stderr).toBe(0);
});
afterAll(async () => {
  await install?.cleanup();
});

describe("workspace-restore -i with a bare name", () => {
  it("finds NAME.tar.gz", async () => {
    const r = await pm("workspace-restore", "-i", "daily-2026-12-08", "--json");
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { file: string; compressed: boolean; parts: number };
    expect(doc.file).toBe(path.join(backups, "daily-2026-12-08.tar.gz"));
    expect([doc.compressed, doc.parts]).toEqual([true, 1]);
  });

  it("finds split parts NAME.tar.gz.00… without -m, and with it", async () => {
    expect((await readdir(backups)).filter((f) => f.startsWith("split.tar.gz.")).length).toBe(
      (
        JSON.parse((await pm("workspace-restore", "-i", "split", "--json")).stdout) as {
          parts: number;
        }
      ).parts,
    );
    const m = await pm("workspace-restore", "-i", "-m", "split", "--json");
    expect(m.exitCode, m.stderr).toBe(0);
    expect((JSON.parse(m.stdout) as { file: string }).file).toBe(
      path.join(backups, "split.tar.gz"),
    );
  });

  it("refuses a name that matches two archives, naming both (exit 2)", async () => {
    await copyFile(
      path.join(backups, "daily-2026-12-08.tar.gz"),
      path.join(backups, "daily-2026-12-08.tgz"),
    );
    const r = await pm("workspace-restore", "-i", "daily-2026-12-08");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("[RESTORE.AMBIGUOUS_NAME]");
    expect(r.stderr).toContain("daily-2026-12-08.tar.gz, daily-2026-12-08.tgz");
    await rm(path.join(backups, "daily-2026-12-08.tgz"));
    const missing = await pm("workspace-restore", "-i", "nosuch");
    expect([missing.exitCode, missing.stderr]).toEqual([
      2,
      expect.stringContaining("[RESTORE.NO_ARCHIVE]"),
    ]);
  });
});

describe("workspace-restore -i --list", () => {
  it("prints one tar-tv line per entry: mode, owner, size, mtime, path, link target", async () => {
    const r = await pm("workspace-restore", "-i", "--list", "daily-2026-12-08");
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    const line = /^[-dlh?][-rwxsStT]{9} \S+\/\S+\s+\d+ \d{4}-\d\d-\d\d \d\d:\d\d \S/;
    for (const l of lines) expect(l).toMatch(line);
    expect(lines[0]).toMatch(new RegExp(`^-rw------- .* ${ws.name}\\.meta$`));
    expect(r.stdout).toMatch(
      new RegExp(
        `^l.* ${ws.name}\\.files/public/latest\\.html -> \\.\\./mailTemplates/alert_message\\.html$`,
        "m",
      ),
    );
    expect(r.stdout).toMatch(new RegExp(`^d.* ${ws.name}\\.files/files/empty-folder$`, "m"));
    expect(r.stderr).toContain(`${lines.length} entries in`);
  });

  it("--json: one document with every entry and its fields", async () => {
    const text = await pm("workspace-restore", "-i", "--list", "daily-2026-12-08");
    const r = await pm("workspace-restore", "-i", "--list", "daily-2026-12-08", "--json");
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      schemaVersion: number;
      count: number;
      entries: Array<Record<string, unknown>>;
    };
    expect(doc.schemaVersion).toBe(1);
    expect(doc.entries.length).toBe(doc.count);
    expect(doc.count).toBe(text.stdout.trim().split("\n").length);
    const link = doc.entries.find((e) => e["type"] === "symlink");
    expect(link).toMatchObject({
      path: `${ws.name}.files/public/latest.html`,
      linkTarget: "../mailTemplates/alert_message.html",
      size: 0,
    });
    for (const e of doc.entries)
      expect(Object.keys(e).sort()).toEqual([
        "gid",
        "group",
        "linkTarget",
        "mode",
        "mtime",
        "owner",
        "path",
        "size",
        "type",
        "uid",
      ]);
  });

  it("--list without -i is a usage error", async () => {
    const r = await pm("workspace-restore", "--list", "daily-2026-12-08");
    expect([r.exitCode, r.stderr]).toEqual([
      2,
      expect.stringContaining("RESTORE.LIST_WITHOUT_INFO"),
    ]);
  });
});
