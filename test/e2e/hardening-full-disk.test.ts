// workspace-backup onto a full filesystem: a 2 MiB tmpfs mounted for this file (tests run as root,
// as CI does). Whether the archive or the staged dump hits ENOSPC, the run exits 1 saying the disk
// is full, leaves no partial file under the final name and no temporary, and an older backup of
// the same name survives byte for byte.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBin } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

let install: TestInstall;
let ws: TestInstall["workspaces"][number];
let mountDir: string | undefined;
let mounted = false;

const sha = async (f: string): Promise<string> =>
  createHash("sha256")
    .update(await readFile(f))
    .digest("hex");

beforeAll(async () => {
  if (process.getuid?.() !== 0) {
    // Not a skip: CI runs as root, and a silently skipped disk-full test proves nothing.
    throw new Error("hardening-full-disk needs root to mount a small tmpfs (CI runs as root)");
  }
  install = await createTestInstall({ workspaces: 1, cases: 3 });
  ws = install.workspaces[0] as TestInstall["workspaces"][number];
  mountDir = await mkdtemp(path.join(tmpdir(), "pmadmin-full-"));
  await execa("mount", ["-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", mountDir]);
  mounted = true;
});
afterAll(async () => {
  if (mounted && mountDir) await execa("umount", [mountDir]);
  if (mountDir) await rm(mountDir, { recursive: true, force: true });
  await install?.cleanup();
});

async function expectDiskFullFailure(
  target: string,
  before: string,
  code: string,
  others: string[] = [],
): Promise<void> {
  for (const json of [false, true]) {
    const r = await runBin(["workspace-backup", ws.name, target, ...(json ? ["--json"] : [])], {
      env: install.env(),
    });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain(`pmadmin: error [${code}]`);
    expect(r.stderr).toMatch(/the filesystem is full \(ENOSPC/);
    expect(r.stderr).not.toMatch(/SIGPIPE|INTERNAL|\n\s+at .+:\d+:\d+/);
    expect(r.stdout + r.stderr).not.toContain(ws.dbPassword);
    if (json) {
      const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string } };
      expect(doc.ok).toBe(false);
      expect(doc.error.code).toBe(code);
    }
    // Only the older backup is left: no partial file, no temporary, no staged dump.
    expect((await readdir(mountDir!)).sort()).toEqual([path.basename(target), ...others].sort());
    expect(await sha(target)).toBe(before);
  }
}

describe("workspace-backup to a full filesystem", () => {
  it("the archive does not fit: exit 1, ENOSPC in words, the older backup intact", async () => {
    const target = path.join(mountDir!, "big.tar");
    await writeFile(target, "an older backup\n".repeat(1000), { mode: 0o600 });
    const before = await sha(target);
    // 3 MiB that do not compress: the archive cannot fit in 2 MiB whatever the format.
    const big = path.join(ws.siteDir, "files", "big-upload.bin");
    await writeFile(big, randomBytes(3 << 20));
    try {
      await expectDiskFullFailure(target, before, "BACKUP.WRITE_FAILED");
    } finally {
      await rm(big, { force: true });
      await rm(target, { force: true });
    }
  });

  it("the staged dump does not fit: exit 1, ENOSPC in words, the older backup intact", async () => {
    const target = path.join(mountDir!, "small.tar.gz");
    const filler = path.join(mountDir!, "filler");
    await writeFile(target, "an older backup\n", { mode: 0o600 });
    const before = await sha(target);
    // Leave a few KiB free: less than the dump, which is staged beside the archive.
    const { stdout } = await execa("df", ["--output=avail", "-B1", mountDir!]);
    const avail = Number(stdout.trim().split("\n").pop());
    await writeFile(filler, Buffer.alloc(Math.max(0, avail - 16 * 1024)));
    try {
      await expectDiskFullFailure(target, before, "BACKUP.DUMP_WRITE", ["filler"]);
    } finally {
      await rm(filler, { force: true });
      await rm(target, { force: true });
    }
  });
});
