// `workspace-restore -i`: a bare name finds the archive with any ending pmadmin writes (and split
// parts) as the restore itself does, and `-i --list` lists the entries like `tar tv`.
import { copyFile, lstat, mkdir, readdir, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { uniqueName } from "../helpers/db.js";

let install: TestInstall;
let ws: TestInstall["workspaces"][number];
let backups: string;
const pm = (...args: string[]) => runInProcess(args, { env: install.env() });

beforeAll(async () => {
  install = await createTestInstall({ cases: 3 });
  ws = install.workspaces[0] as TestInstall["workspaces"][number];
  backups = path.join(install.sharedDir, "backups");
  // Beside the fixture's own symlink and empty directory: a second link and a nested empty dir.
  await mkdir(path.join(ws.siteDir, "files", "empty-a", "empty-b"), { recursive: true });
  await symlink("db.php", path.join(ws.siteDir, "db-link.php"));
  await writeFile(path.join(ws.siteDir, "files", "empty-a", "note.txt"), "twelve bytes");
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
    const link = doc.entries.find((e) => String(e["path"]).endsWith("/latest.html"));
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

/** An independent count of what is under a directory (lstat, no link followed). */
async function countOnDisk(dir: string): Promise<Record<string, number>> {
  const c = { files: 0, directories: 0, links: 0, bytes: 0 };
  for (const name of await readdir(dir)) {
    const p = path.join(dir, name);
    const st = await lstat(p);
    if (st.isSymbolicLink()) c.links += 1;
    else if (st.isDirectory()) {
      c.directories += 1;
      const sub = await countOnDisk(p);
      for (const k of Object.keys(c) as Array<keyof typeof c>) c[k] += sub[k] ?? 0;
    } else if (st.isFile()) {
      c.files += 1;
      c.bytes += st.size;
    }
  }
  return c;
}

describe("one file count everywhere", () => {
  it("info, the backup summary, -i, the restore summary and info of the copy agree", async () => {
    const expected = await countOnDisk(ws.siteDir);
    expect(expected.links).toBeGreaterThanOrEqual(2);
    expect(expected.directories).toBeGreaterThan(3);
    const json = async (...args: string[]): Promise<Record<string, unknown>> => {
      const r = await pm(...args, "--json");
      expect(r.exitCode, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    type Ws = { files: unknown };
    const info = (await json("info", ws.name))["workspaces"] as Ws[];
    const backup = (await json("workspace-backup", ws.name, "counted.tar"))["workspaces"] as Ws[];
    const described = (await json("workspace-restore", "-i", "counted"))["workspaces"] as Ws[];
    const name = uniqueName("cnt");
    const dry = await json("--dry-run", "workspace-restore", "counted", name);
    const restored = await json("workspace-restore", "counted", name);
    install.track(`wf_${name}`, restored["dbUser"] as string);
    const copy = (await json("info", name))["workspaces"] as Ws[];
    for (const [what, files] of [
      ["info", info[0]?.files],
      ["backup", backup[0]?.files],
      ["-i", described[0]?.files],
      ["--dry-run", dry["files"]],
      ["restore", restored["files"]],
    ] as const)
      expect(files, what).toEqual(expected);
    // The copy's db.php is rewritten with its own credentials: only its size may differ.
    expect({ ...(copy[0]?.files as object), bytes: 0 }).toEqual({ ...expected, bytes: 0 });
    // The text reports say the same, in the same words.
    const words = `${expected.files} files, ${expected.directories} directories, ${expected.links} links`;
    expect((await pm("info", ws.name)).stdout).toContain(words);
    expect((await pm("workspace-restore", "-i", "counted")).stdout).toContain(words);
  });
});

describe("-l LANG", () => {
  it("is accepted for compatibility only: same plan, a note on stderr, said in the help", async () => {
    const name = uniqueName("lang");
    const plain = await pm("workspace-restore", "--dry-run", "daily-2026-12-08", name, "--json");
    const lang = await pm(
      "workspace-restore",
      "--dry-run",
      "-l",
      "es",
      "daily-2026-12-08",
      name,
      "--json",
    );
    expect([plain.exitCode, lang.exitCode], lang.stderr).toEqual([0, 0]);
    expect(JSON.parse(lang.stdout)).toEqual(JSON.parse(plain.stdout));
    expect(lang.stderr).toContain("-l/--lang es has no effect");
    expect(plain.stderr).not.toContain("--lang");
    const help = await pm("help", "workspace-restore");
    expect(help.stdout.replace(/\s+/g, " ")).toContain(
      "accepted for compatibility only, no effect",
    );
  });
});
