// writeOptionFile on a full temp dir: a 2 MiB tmpfs mounted for this file (tests run as root, as
// CI does) and filled up. The option file must not be left behind (neither an empty client.cnf
// nor its pmadmin-XXXXXX directory) and the error is typed, names the temp directory and says to
// free space or set TMPDIR.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPmError } from "../../src/errors.js";
import { writeOptionFile } from "../../src/exec/option-file.js";
import { runBin } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

let mountDir: string | undefined;
let mounted = false;
let install: TestInstall;

beforeAll(async () => {
  if (process.getuid?.() !== 0) {
    // Not a skip: CI runs as root, and a silently skipped disk-full test proves nothing.
    throw new Error("hardening-temp-full needs root to mount a small tmpfs (CI runs as root)");
  }
  install = await createTestInstall({ workspaces: 1, cases: 2 });
  mountDir = await mkdtemp(path.join(tmpdir(), "pmadmin-tmpfull-"));
  await execa("mount", ["-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", mountDir]);
  mounted = true;
  const { stdout } = await execa("df", ["--output=avail", "-B1", mountDir]);
  const avail = Number(stdout.trim().split("\n").pop());
  // Fill it to the last byte (tmpfs accounts in pages: whatever is left is less than one).
  await writeFile(path.join(mountDir, "filler"), Buffer.alloc(avail)).catch(() => undefined);
});
afterAll(async () => {
  if (mounted && mountDir) await execa("umount", [mountDir]);
  if (mountDir) await rm(mountDir, { recursive: true, force: true });
  await install?.cleanup();
});

async function withTmpdir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const before = process.env["TMPDIR"];
  process.env["TMPDIR"] = dir;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env["TMPDIR"];
    else process.env["TMPDIR"] = before;
  }
}

const creds = { host: "127.0.0.1", port: 3306, user: "wf_x", password: "s3cret-pw" };

describe("writeOptionFile with a full TMPDIR", () => {
  it("throws EXEC.TEMP_FULL naming the directory and leaves nothing behind", async () => {
    const error = await withTmpdir(mountDir!, () => writeOptionFile(creds)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPmError(error), String(error)).toBe(true);
    if (!isPmError(error)) return;
    expect(error.code).toBe("EXEC.TEMP_FULL");
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain(mountDir!);
    expect(error.message).toMatch(/the filesystem is full \(ENOSPC/);
    expect(error.hint).toMatch(/Free space in .*or set TMPDIR/);
    expect(`${error.message} ${error.hint}`).not.toContain(creds.password);
    expect(await readdir(mountDir!)).toEqual(["filler"]);
  });

  it("a temp dir that does not exist: EXEC.TEMP_WRITE, nothing created", async () => {
    const missing = path.join(mountDir!, "no-such-dir");
    const error = await withTmpdir(missing, () => writeOptionFile(creds)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPmError(error) && error.code).toBe("EXEC.TEMP_WRITE");
    expect(await readdir(mountDir!)).toEqual(["filler"]);
  });

  it("still works once TMPDIR points somewhere with space", async () => {
    const f = await writeOptionFile(creds);
    try {
      expect(path.dirname(path.dirname(f.path))).toBe(tmpdir());
    } finally {
      await f.dispose();
    }
  });

  it("workspace-backup with that TMPDIR fails with EXEC.TEMP_FULL (exit 1) and leaves no option file", async () => {
    const ws = install.workspaces[0]!;
    const r = await runBin(["workspace-backup", ws.name, path.join(install.root, "b.tar")], {
      env: { ...install.env(), TMPDIR: mountDir! },
    });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain("pmadmin: error [EXEC.TEMP_FULL]");
    expect(r.stderr).toMatch(/set TMPDIR/);
    expect(r.stderr).not.toMatch(/INTERNAL|\n\s+at .+:\d+:\d+/);
    expect(r.stdout + r.stderr).not.toContain(ws.dbPassword);
    expect(await readdir(mountDir!)).toEqual(["filler"]);
  });
});
