// workspace-backup with $TMPDIR on a full filesystem (a tiny tmpfs; tests run as root, as CI
// does). The database client's private option file is written there, so the run fails; the
// message must name the temporary directory, not blame the backup directory, and the backup
// directory must be exactly as it was (an older backup of the same name intact).
import { createHash } from "node:crypto";
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

beforeAll(async () => {
  if (process.getuid?.() !== 0) {
    // Not a skip: CI runs as root, and a silently skipped disk-full test proves nothing.
    throw new Error("backup-tmpdir-full needs root to mount a small tmpfs (CI runs as root)");
  }
  install = await createTestInstall({ workspaces: 1, cases: 3 });
  ws = install.workspaces[0] as TestInstall["workspaces"][number];
  mountDir = await mkdtemp(path.join(tmpdir(), "pmadmin-tmpfull-"));
  await execa("mount", ["-t", "tmpfs", "-o", "size=256k,mode=1777", "tmpfs", mountDir]);
  mounted = true;
  // Fill it to the last byte.
  await writeFile(path.join(mountDir, "filler"), Buffer.alloc(256 << 10)).catch(() => undefined);
});
afterAll(async () => {
  if (mounted && mountDir) await execa("umount", [mountDir]);
  if (mountDir) await rm(mountDir, { recursive: true, force: true });
  await install?.cleanup();
});

describe("workspace-backup with a full $TMPDIR", () => {
  it("exit 1 naming the temporary directory; the backup directory untouched", async () => {
    const backups = path.join(install.sharedDir, "backups");
    const target = path.join(backups, "tmpfull.tar.gz");
    const ok = await runBin(["workspace-backup", ws.name, "tmpfull.tar.gz"], {
      env: install.env(),
    });
    expect(ok.exitCode, ok.stderr).toBe(0);
    const before = createHash("sha256")
      .update(await readFile(target))
      .digest("hex");
    const listing = (await readdir(backups)).sort();
    for (const json of [false, true]) {
      const r = await runBin(
        ["workspace-backup", ws.name, "tmpfull.tar.gz", ...(json ? ["--json"] : [])],
        { env: { ...install.env(), TMPDIR: mountDir! } },
      );
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toContain(mountDir!);
      expect(r.stderr).toMatch(/the filesystem is full \(ENOSPC/);
      expect(r.stderr).not.toContain(`Free space in ${backups}`);
      expect(r.stderr).not.toContain("BACKUP.WRITE_FAILED"); // the typed code may come from option-file.ts
      expect(r.stderr).not.toMatch(/INTERNAL|INTERRUPTED|\n\s+at .+:\d+:\d+/);
      expect(r.stdout + r.stderr).not.toContain(ws.dbPassword);
      if (json) {
        const doc = JSON.parse(r.stdout) as { ok: boolean; error: { message: string } };
        expect(doc.ok).toBe(false);
        expect(doc.error.message).toContain(mountDir!);
      }
      expect((await readdir(backups)).sort()).toEqual(listing);
      expect(
        createHash("sha256")
          .update(await readFile(target))
          .digest("hex"),
      ).toBe(before);
    }
  });
});
