// workspace-backup's safeguards: refusals before anything is written, failures that leave the
// previous backup and nothing else, locks, unreadable files, retention, dry run.
import { createHash } from "node:crypto";
import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  utimes,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyBackup } from "../../src/backup/apply.js";
import { prepareBackup } from "../../src/backup/prepare.js";
import { planBackup } from "../../src/backup/plan.js";
import { noProgress } from "../../src/backup/progress.js";
import { openForRead } from "../../src/backup/site-files.js";
import { locateInstallation, resolveWorkspaces } from "../../src/install/installation.js";
import { acquireWorkspaceLocks, lockDir } from "../../src/lock/workspace-lock.js";
import type { Runtime } from "../../src/runtime.js";
import { runInProcess } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

let install: TestInstall;
let ws: TestInstall["workspaces"][number];
let backups: string;
let scratch: string;

const sha = async (f: string): Promise<string> =>
  createHash("sha256")
    .update(await readFile(f))
    .digest("hex");
const listing = async (dir: string): Promise<string[]> =>
  (await readdir(dir).catch(() => [] as string[])).sort();

beforeAll(async () => {
  install = await createTestInstall({ cases: 20 });
  ws = install.workspaces[0] as TestInstall["workspaces"][number];
  backups = path.join(install.sharedDir, "backups");
  scratch = await mkdtemp(path.join(tmpdir(), "pmadmin-backup-safety-"));
});

afterAll(async () => {
  await install?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("refusals before anything is written", () => {
  it("refuses -s on Windows with exit 3", async () => {
    const before = await listing(backups);
    const r = await runInProcess(["workspace-backup", "-s", "10", ws.name], {
      env: install.env(),
      platform: "win32",
    });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/BACKUP\.SPLIT_UNSUPPORTED.*Windows/);
    expect(await listing(backups)).toEqual(before);
  });

  it("refuses an unknown ending with exit 2, listing the supported ones", async () => {
    const r = await runInProcess(["workspace-backup", ws.name, "backup.zip"], {
      env: install.env(),
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/\.tar, \.tar\.gz, \.tgz/);
  });

  it("refuses a backup file inside the workspace it archives (exit 2)", async () => {
    const r = await runInProcess(
      ["workspace-backup", ws.name, path.join(ws.siteDir, "files", "self.tar")],
      {
        env: install.env(),
      },
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("BACKUP.TARGET_INSIDE_WORKSPACE");
    expect(await listing(path.join(ws.siteDir, "files"))).not.toContain("self.tar");
  });

  it("names the workspaces that exist when one does not", async () => {
    const r = await runInProcess(["workspace-backup", "nosuchws"], { env: install.env() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(ws.name);
  });

  it("creates a missing target directory (0700) when its parent exists, not two levels", async () => {
    const parent = path.join(scratch, "nightly");
    const deeper = path.join(parent, "a", "b");
    const refused = await runInProcess(["workspace-backup", ws.name, path.join(deeper, "x.tar")], {
      env: install.env(),
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("[BACKUP.TARGET_DIR]");
    expect(refused.stderr).toContain("nor its parent");
    await expect(stat(parent)).rejects.toThrow(/ENOENT/);
    await mkdir(parent);
    const file = path.join(parent, "new-dir", "x.tar");
    const r = await runInProcess(["workspace-backup", ws.name, file], { env: install.env() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(await listing(path.dirname(file))).toEqual(["x.tar"]);
    await rm(parent, { recursive: true });
  });

  it("--dry-run says what and where, and writes nothing", async () => {
    const before = await listing(backups);
    const r = await runInProcess(["workspace-backup", "--dry-run", ws.name, "dry.tar.gz"], {
      env: install.env(),
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(path.join(backups, "dry.tar.gz"));
    expect(r.stdout).toMatch(new RegExp(`database ${ws.database}: \\d+ tables`));
    expect(await listing(backups)).toEqual(before);
  });
});

describe("failures keep the previous backup and leave nothing behind", () => {
  it("wrong database password: exit 1 with the server's message", async () => {
    const ok = await runInProcess(["workspace-backup", ws.name, "keep-me.tar"], {
      env: install.env(),
    });
    expect(ok.exitCode, ok.stderr).toBe(0);
    const file = path.join(backups, "keep-me.tar");
    const hash = await sha(file);
    const before = await listing(backups);
    const dbPhp = path.join(ws.siteDir, "db.php");
    const original = await readFile(dbPhp, "utf8");
    await writeFile(dbPhp, original.replaceAll(ws.dbPassword, "wrong-password"));
    try {
      const r = await runInProcess(["workspace-backup", ws.name, "keep-me.tar"], {
        env: install.env(),
      });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/Access denied for user/);
      expect(r.stderr).not.toContain("wrong-password");
      expect(await sha(file)).toBe(hash);
      expect(await listing(backups)).toEqual(before);
    } finally {
      await writeFile(dbPhp, original);
    }
  });

  async function fakeDump(script: string): Promise<Record<string, string>> {
    const bin = await mkdtemp(path.join(scratch, "bin-"));
    const prog = path.join(bin, "mariadb-dump");
    await writeFile(prog, `#!/bin/sh\n${script}\n`);
    await chmod(prog, 0o755);
    return { ...install.env(), PATH: `${bin}:${process.env["PATH"] ?? ""}` };
  }

  it("a dump that exits non-zero fails with its stderr", async () => {
    const env = await fakeDump(
      `case "$1" in --version) echo fake; exit 0;; esac\necho "mariadb-dump: Got error: 2013: Lost connection" >&2\nexit 2`,
    );
    const before = await listing(backups);
    const r = await runInProcess(["workspace-backup", ws.name, "keep-me.tar"], { env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/BACKUP\.DUMP_FAILED.*Lost connection/s);
    expect(await listing(backups)).toEqual(before);
  });

  it("a truncated dump (exit 0, no completion marker) is refused", async () => {
    const env = await fakeDump(
      `case "$1" in --version) echo fake; exit 0;; esac\nprintf 'CREATE TABLE \`APPLICATION\` (\\n'\nexit 0`,
    );
    const before = await listing(backups);
    const r = await runInProcess(["workspace-backup", ws.name, "keep-me.tar"], { env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/BACKUP\.DUMP_INCOMPLETE.*Dump completed/s);
    expect(await listing(backups)).toEqual(before);
  });
});

describe("unreadable files", () => {
  const runtime = (): Runtime => ({
    stdout: { write: () => true },
    stderr: { write: () => true },
    stdin: new PassThrough(),
    env: { ...process.env, ...install.env() },
    cwd: scratch,
    platform: "linux",
    stdinIsTTY: false,
    signal: new AbortController().signal,
    now: () => new Date(),
  });
  // Tests run as root, which reads everything: simulate EACCES on one file.
  const secret = (): string => path.join(ws.siteDir, "files", "secret-config.ini");
  const denying = (abs: string): number => {
    if (abs === secret())
      throw Object.assign(new Error(`EACCES: permission denied, open '${abs}'`), {
        code: "EACCES",
      });
    return openForRead(abs);
  };

  async function backup(skipUnreadable: boolean, file: string) {
    const rt = runtime();
    const inst = await locateInstallation({ env: rt.env, cwd: rt.cwd });
    const plan = planBackup({
      positionals: [ws.name, file],
      filesize: undefined,
      keep: undefined,
      skipUnreadable,
      sharedDir: inst.sharedDir,
      cwd: rt.cwd,
      platform: "linux",
    });
    const prep = await prepareBackup(await resolveWorkspaces(inst, plan.workspaces), { rt, inst });
    const warnings: string[] = [];
    const result = await applyBackup(plan, prep, {
      rt,
      inst,
      progress: noProgress,
      warn: (t) => warnings.push(t),
      openFile: denying,
    });
    return { result, warnings };
  }

  it("fails naming the file, leaving nothing behind", async () => {
    const before = await listing(backups);
    const error = (await backup(false, "unreadable.tar").catch((e: unknown) => e)) as {
      code: string;
      message: string;
    };
    expect(error.code).toBe("BACKUP.UNREADABLE");
    expect(error.message).toContain(secret());
    expect(await listing(backups)).toEqual(before);
  });

  it("--skip-unreadable leaves it out and lists it", async () => {
    const { result, warnings } = await backup(true, "skipped.tar");
    expect(result.workspaces[0]?.skipped).toEqual([secret()]);
    expect(warnings.join("\n")).toContain(secret());
    const list = (await execa("tar", ["-tf", path.join(backups, "skipped.tar")])).stdout;
    expect(list).not.toContain("secret-config.ini");
    expect(list).toContain("db.php");
  });
});

describe("a signal that came before the backup began", () => {
  it("exits 130 and creates nothing (the command never starts)", async () => {
    const before = await listing(backups);
    const c = new AbortController();
    c.abort(new Error("SIGTERM"));
    const r = await runInProcess(["workspace-backup", ws.name, "early.tar"], {
      env: install.env(),
      signal: c.signal,
    });
    expect(r.exitCode).toBe(130);
    expect(await listing(backups)).toEqual(before);
    expect(await listing(lockDir(install.sharedDir))).toEqual([]);
  });

  it("applyBackup: one during the preparation stops it before the lock or any file", async () => {
    const c = new AbortController();
    const rt: Runtime = {
      stdout: { write: () => true },
      stderr: { write: () => true },
      stdin: new PassThrough(),
      env: { ...process.env, ...install.env() },
      cwd: scratch,
      platform: "linux",
      stdinIsTTY: false,
      signal: c.signal,
      now: () => new Date(),
    };
    const inst = await locateInstallation({ env: rt.env, cwd: rt.cwd });
    const plan = planBackup({
      positionals: [ws.name, "early.tar"],
      filesize: undefined,
      keep: undefined,
      skipUnreadable: false,
      sharedDir: inst.sharedDir,
      cwd: rt.cwd,
      platform: "linux",
    });
    const prep = await prepareBackup(await resolveWorkspaces(inst, plan.workspaces), { rt, inst });
    c.abort(new Error("SIGTERM")); // after the last query of the preparation, before apply
    const before = await listing(backups);
    let opened = 0;
    const error = (await applyBackup(plan, prep, {
      rt,
      inst,
      progress: noProgress,
      warn: () => undefined,
      openFile: (abs) => {
        opened += 1;
        return openForRead(abs);
      },
    }).catch((e: unknown) => e)) as { code: string };
    expect(error.code).toBe("INTERRUPTED");
    expect(opened).toBe(0); // stopped at once, not after archiving the whole workspace
    expect(await listing(backups)).toEqual(before);
    expect(await listing(lockDir(install.sharedDir))).toEqual([]);
  });
});

describe("locks", () => {
  it("a second backup of a locked workspace exits 3 naming the holder", async () => {
    const lock = await acquireWorkspaceLocks({
      sharedDir: install.sharedDir,
      workspaces: [ws.name],
      operation: "restore",
    });
    try {
      const r = await runInProcess(["workspace-backup", ws.name, "locked.tar"], {
        env: install.env(),
      });
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`LOCK\\.HELD.*pid ${process.pid}.*restore`));
    } finally {
      await lock.release();
    }
    const r = await runInProcess(["workspace-backup", ws.name, "locked.tar"], {
      env: install.env(),
    });
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it("takes over a stale lock left by a killed run", async () => {
    const dead = await execa("sh", ["-c", "echo $$"]);
    const dir = lockDir(install.sharedDir);
    await mkdir(path.join(dir, `${ws.name.toLowerCase()}.lock`), { recursive: true });
    await writeFile(
      path.join(dir, `${ws.name.toLowerCase()}.owner.json`),
      JSON.stringify({
        pid: Number(dead.stdout),
        host: (await import("node:os")).hostname(),
        operation: "backup",
        workspace: ws.name,
        since: "x",
      }),
    );
    const r = await runInProcess(["workspace-backup", ws.name, "after-stale.tar"], {
      env: install.env(),
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await listing(dir)).toEqual([]);
  });
});

describe("--keep (family rule)", () => {
  const backupTo = async (dir: string, name: string, ...more: string[]) => {
    const r = await runInProcess(["workspace-backup", ...more, ws.name, path.join(dir, name)], {
      env: install.env(),
    });
    expect(r.exitCode, r.stderr).toBe(0);
    return r;
  };

  it("issue 10 item 9: eight dated backups with --keep 7 never remove before-upgrade.tar", async () => {
    const dir = path.join(scratch, "keep-family");
    await mkdir(dir);
    await backupTo(dir, "before-upgrade.tar");
    await backupTo(dir, "workflow.tar");
    await backupTo(dir, "workflow-2026-11-30.tar"); // another ending: another family
    // ProcessMaker's own archive (old GNU magic) with a name of the family is never touched.
    await writeFile(path.join(scratch, `${ws.name}.meta`), "{}");
    await execa("tar", [
      "--format=gnu",
      "-czf",
      path.join(dir, "workflow-2026-11-29.tar.gz"),
      "-C",
      scratch,
      `${ws.name}.meta`,
    ]);
    for (const f of await readdir(dir)) await utimes(path.join(dir, f), new Date(0), new Date(0));
    const removed: string[] = [];
    for (let d = 1; d <= 8; d++) {
      const name = `workflow-2026-12-0${d}.tar.gz`;
      const r = await backupTo(dir, name, "--keep", "7", "--json");
      removed.push(...(JSON.parse(r.stdout) as { removed: string[] }).removed);
      // Distinct mtimes even on a coarse clock: day d is d minutes after the epoch-aged others.
      const t = new Date(Date.now() - (10 - d) * 60_000);
      await utimes(path.join(dir, name), t, t);
    }
    expect(removed).toEqual([path.join(dir, "workflow-2026-12-01.tar.gz")]);
    const left = await listing(dir);
    expect(left).toContain("before-upgrade.tar");
    expect(left).toContain("workflow.tar");
    expect(left).toContain("workflow-2026-11-30.tar");
    expect(left).toContain("workflow-2026-11-29.tar.gz");
    expect(left.filter((n) => /^workflow-2026-12-0\d\.tar\.gz$/.test(n))).toEqual(
      [2, 3, 4, 5, 6, 7, 8].map((d) => `workflow-2026-12-0${d}.tar.gz`),
    );
  }, 120_000);

  it("another workspace set is another family; --dry-run lists what would go", async () => {
    const dir = path.join(scratch, "keep-sets");
    await mkdir(dir);
    const other = await install.addWorkspace({ cases: 2 });
    const both = await runInProcess(
      ["workspace-backup", ws.name, other.name, path.join(dir, "nightly-2026-12-01.tgz")],
      { env: install.env() },
    );
    expect(both.exitCode, both.stderr).toBe(0);
    await backupTo(dir, "nightly-2026-12-02.tgz");
    await backupTo(dir, "nightly-2026-12-03.tgz");
    for (const [i, f] of [
      "nightly-2026-12-01.tgz",
      "nightly-2026-12-02.tgz",
      "nightly-2026-12-03.tgz",
    ].entries()) {
      const t = new Date(Date.now() - (10 - i) * 60_000);
      await utimes(path.join(dir, f), t, t);
    }
    const dry = await runInProcess(
      [
        "workspace-backup",
        "--dry-run",
        "--json",
        "--keep",
        "1",
        ws.name,
        path.join(dir, "nightly-2026-12-04.tgz"),
      ],
      { env: install.env() },
    );
    expect(dry.exitCode, dry.stderr).toBe(0);
    const expected = ["nightly-2026-12-02.tgz", "nightly-2026-12-03.tgz"].map((f) =>
      path.join(dir, f),
    );
    expect((JSON.parse(dry.stdout) as { wouldRemove: string[] }).wouldRemove.sort()).toEqual(
      expected,
    );
    const text = await runInProcess(
      [
        "workspace-backup",
        "--dry-run",
        "--keep",
        "1",
        ws.name,
        path.join(dir, "nightly-2026-12-04.tgz"),
      ],
      { env: install.env() },
    );
    for (const f of expected) expect(text.stdout).toContain(`would remove older backup ${f}`);
    expect(await listing(dir)).toEqual([
      "nightly-2026-12-01.tgz",
      "nightly-2026-12-02.tgz",
      "nightly-2026-12-03.tgz",
    ]);
    const r = await backupTo(dir, "nightly-2026-12-04.tgz", "--keep", "1", "--json");
    expect((JSON.parse(r.stdout) as { removed: string[] }).removed.sort()).toEqual(expected);
    // The two-workspace backup is of another family: kept.
    expect(await listing(dir)).toEqual(["nightly-2026-12-01.tgz", "nightly-2026-12-04.tgz"]);
  }, 120_000);

  it("split parts count as one backup", async () => {
    const dir = path.join(scratch, "keep-split");
    await mkdir(dir);
    await backupTo(dir, "s-20261201.tar", "-s", "1");
    const t = new Date(Date.now() - 60_000);
    for (const f of await readdir(dir)) await utimes(path.join(dir, f), t, t);
    const r = await backupTo(dir, "s-20261202.tar", "-s", "1", "--keep", "1", "--json");
    expect((JSON.parse(r.stdout) as { removed: string[] }).removed).toEqual([
      `${path.join(dir, "s-20261201.tar")}.*`,
    ]);
    expect((await listing(dir)).every((n) => n.startsWith("s-20261202.tar."))).toBe(true);
  });
});
