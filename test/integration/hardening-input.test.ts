// Wrong names and odd input, the way a script with an unset variable or a typo produces them:
// exit 2 with a documented code, exactly one JSON document on stdout under --json, and nothing
// touched (files, backups, the admin's due date). A broken db.php is exit 1 naming the file.
import { chmod, mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runInProcess, type CliResult } from "../helpers/cli.js";
import { adminDb } from "../helpers/db.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

let install: TestInstall;
let ws: TestInstall["workspaces"][number];

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 1, cases: 2 });
  ws = install.workspaces[0] as TestInstall["workspaces"][number];
});
afterAll(async () => {
  await install?.cleanup();
});

/** Every path under the shared dir with its size and mode: what "nothing touched" means on disk. */
async function tree(dir: string, out: string[] = []): Promise<string[]> {
  for (const name of (await readdir(dir)).sort()) {
    const p = path.join(dir, name);
    const s = await stat(p);
    out.push(
      `${path.relative(install.sharedDir, p)} ${s.isDirectory() ? "dir" : s.size} ${s.mode}`,
    );
    if (s.isDirectory()) await tree(p, out);
  }
  return out;
}

async function dueDates(): Promise<unknown> {
  const db = await adminDb(ws.database);
  try {
    return await db.query(
      "SELECT u.USR_UID, u.USR_DUE_DATE, r.USR_DUE_DATE AS RBAC_DUE FROM USERS u JOIN RBAC_USERS r USING (USR_UID) ORDER BY u.USR_UID",
    );
  } finally {
    await db.close();
  }
}

/** Runs with --json and checks the contract for an error: one JSON document, ok false, the code. */
async function failing(args: string[], exit: number, codes: RegExp): Promise<CliResult> {
  const r = await runInProcess([...args, "--json"], { env: install.env() });
  expect(r.exitCode, `${args.join(" ")}\n${r.stderr}`).toBe(exit);
  const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string } };
  expect(doc.ok).toBe(false);
  expect(doc.error.code).toMatch(codes);
  expect(r.stderr).toContain(`pmadmin: error [${doc.error.code}]`);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+|INTERNAL/);
  return r;
}

const BAD_NAMES = ["../x", ".", "..", "", "a".repeat(30), "wörk", "x/../y", "-"];

describe("bad workspace names", () => {
  const commands: Array<(name: string) => string[]> = [
    (n) => ["info", n],
    (n) => ["workspace-backup", n, "named.tar"],
    (n) => ["check-integrity", n],
    (n) => ["admin-status", n],
    (n) => ["expire-admin", n],
    (n) => ["extend-admin", n, "--days", "3"],
    (n) => ["flush-cache", n],
    (n) => ["role", "list", "-w", n],
    (n) => ["role", "grant", "PROCESSMAKER_OPERATOR", "PM_CASES", "-w", n],
    (n) => ["user", "show", "admin", "-w", n],
    (n) => ["permission", "list", "-w", n],
  ];

  it("exit 2 (WORKSPACE.NOT_FOUND / BAD_NAME) for every command, changing nothing", async () => {
    const filesBefore = await tree(install.sharedDir);
    const datesBefore = await dueDates();
    for (const name of BAD_NAMES) {
      for (const make of commands) {
        // "-" is read as an option by some commands; either way it is a usage error.
        await failing(make(name), 2, /^(WORKSPACE\.(NOT_FOUND|BAD_NAME)|USAGE)$/);
      }
    }
    expect(await tree(install.sharedDir)).toEqual(filesBefore);
    expect(await dueDates()).toEqual(datesBefore);
  });

  it("an empty name is never read as 'the only workspace'", async () => {
    const r = await failing(["expire-admin", ""], 2, /^WORKSPACE\.BAD_NAME$/);
    expect(r.stderr).toContain("empty");
    expect(r.stderr).toContain(ws.name);
  });

  it("restore under a bad new name: exit 2 WORKSPACE.BAD_NAME before the archive is read", async () => {
    const filesBefore = await tree(install.sharedDir);
    for (const name of ["../x", ".", "", "a".repeat(30), "wörk", "a-b"]) {
      await failing(["workspace-restore", "missing.tar", name], 2, /^WORKSPACE\.BAD_NAME$/);
    }
    expect(await tree(install.sharedDir)).toEqual(filesBefore);
  });
});

describe("bad numbers and options", () => {
  it("exit 2 with USAGE codes, one JSON document each, nothing written", async () => {
    const filesBefore = await tree(install.sharedDir);
    const datesBefore = await dueDates();
    const cases: Array<[string[], RegExp]> = [
      [["workspace-backup", "-s", "abc", ws.name], /^BACKUP\.BAD_FILESIZE$/],
      // (-s 0 means ProcessMaker's default of 1000 MB, as in ProcessMaker.)
      [["workspace-backup", "-s", "1.5", ws.name], /^BACKUP\.BAD_FILESIZE$/],
      [["workspace-backup", "--keep", "-1", ws.name], /^USAGE(\.BAD_NUMBER)?$/],
      [["workspace-backup", "--keep", "x", ws.name], /^USAGE\.BAD_NUMBER$/],
      [["workspace-backup", "--keep", "0", ws.name], /^USAGE\.BAD_NUMBER$/],
      [["workspace-backup"], /^(USAGE|BACKUP\.NO_WORKSPACE)$/],
      [["workspace-backup", ws.name, "x.zip"], /^BACKUP\.BAD_SUFFIX$/],
      [["extend-admin", ws.name, "--days", "x"], /^USAGE\.BAD_NUMBER$/],
      [["extend-admin", ws.name, "--days", "-3"], /^USAGE(\.BAD_NUMBER)?$/],
      [["extend-admin", ws.name, "--days", "0"], /^USAGE\.BAD_NUMBER$/],
      [["extend-admin", ws.name, "--until", "2027-02-30"], /^ADMIN\.BAD_DATE$/],
      [
        ["extend-admin", ws.name, "--days", "3", "--until", "2027-01-01"],
        /^ADMIN\.DAYS_AND_UNTIL$/,
      ],
      [["admin-status", "--warn-days", "x"], /^USAGE\.BAD_NUMBER$/],
      [
        ["workspace-restore", "-p", "abc", "missing.tar"],
        /^(USAGE\.BAD_NUMBER|RESTORE\.NO_ARCHIVE)$/,
      ],
      [["check-integrity", "--check", "nope"], /^INTEGRITY\.UNKNOWN_CHECK$/],
      [["info", "--bogus"], /^USAGE$/],
      [["no-such-command"], /^USAGE$/],
      [["role", "grant"], /^USAGE$/],
    ];
    for (const [args, code] of cases) await failing(args, 2, code);
    expect(await tree(install.sharedDir)).toEqual(filesBefore);
    expect(await dueDates()).toEqual(datesBefore);
  });
});

describe("a broken db.php", () => {
  const broken = "broken_ws";
  const dir = (): string => path.join(install.sharedDir, "sites", broken);

  it("without DB_NAME: exit 1 WORKSPACE.DB_PHP_INVALID naming the file", async () => {
    await mkdir(dir(), { recursive: true });
    const good = await readFile(path.join(ws.siteDir, "db.php"), "utf8");
    await writeFile(path.join(dir(), "db.php"), good.replace(/define \('DB_NAME'.*\n/, ""));
    try {
      for (const args of [
        ["info", broken],
        ["workspace-backup", broken],
        ["role", "list", "-w", broken],
      ]) {
        const r = await failing(args, 1, /^WORKSPACE\.DB_PHP_INVALID$/);
        expect(r.stderr).toContain(path.join(dir(), "db.php"));
        expect(r.stderr).toContain("DB_NAME");
      }
      // Truncated mid-file (a disk that filled while ProcessMaker wrote it).
      await writeFile(path.join(dir(), "db.php"), good.slice(0, 40));
      await failing(["check-integrity", broken], 1, /^WORKSPACE\.DB_PHP_INVALID$/);
    } finally {
      await rm(dir(), { recursive: true, force: true });
    }
  });

  it("unreadable (mode 000): exit 1 WORKSPACE.DB_PHP_UNREADABLE", async () => {
    await mkdir(dir(), { recursive: true });
    const dbPhp = path.join(dir(), "db.php");
    await writeFile(dbPhp, await readFile(path.join(ws.siteDir, "db.php")));
    await chmod(dbPhp, 0o000);
    try {
      // Root reads mode-000 files; drop the capabilities that let it, as a non-root admin would be.
      const asRoot = process.getuid?.() === 0;
      const cmd = asRoot ? "setpriv" : process.execPath;
      const prefix = asRoot
        ? ["--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all", process.execPath]
        : [];
      const r = await execa(cmd, [...prefix, BIN, "info", broken, "--json"], {
        env: { ...install.env(), NO_COLOR: "1" },
        reject: false,
      });
      expect(r.exitCode, r.stderr).toBe(1);
      const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string } };
      expect(doc.error.code).toBe("WORKSPACE.DB_PHP_UNREADABLE");
      expect(r.stderr).toMatch(/Cannot read .*db\.php: EACCES/);
    } finally {
      await rm(dir(), { recursive: true, force: true });
    }
  });
});
