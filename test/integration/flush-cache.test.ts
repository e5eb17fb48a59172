// flush-cache on a fixture installation: the caches are emptied, their directories keep mode and
// owner, and nothing outside them changes — in particular not the targets of symbolic links that
// point out of a cache directory (ProcessMaker's rm_dir follows them; we must not).
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { walk } from "../../src/fsx/walk.js";
import { acquireWorkspaceLocks, lockDir } from "../../src/lock/workspace-lock.js";
import { runBin, runInProcess } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

let install: TestInstall;
let outside: string;
let ws1: string;
let ws2: string;

const run = (...args: string[]) => runInProcess(["flush-cache", ...args], { env: install.env() });
const site = (ws: string, ...p: string[]) => path.join(install.sharedDir, "sites", ws, ...p);

/** Every entry under root (links not followed) with type, mode, size and link target. */
async function snapshot(
  root: string,
  skip: (rel: string) => boolean = () => false,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of walk(root)) {
    if (skip(e.rel)) continue;
    const link = e.stats.isSymbolicLink() ? await readlink(e.abs) : "";
    const size = e.stats.isDirectory() ? 0 : e.stats.size;
    out.set(e.rel, `${e.stats.mode.toString(8)} ${size} ${link}`);
  }
  return out;
}

function isCachePath(rel: string): boolean {
  return /^processmaker\/shared\/(compiled\/|framework\/cache\/data\/|sites\/[^/]+\/(cache|cachefiles)\/|sites\/[^/]+\/routes\.php$)/.test(
    rel,
  );
}

async function populate(ws: string): Promise<void> {
  await mkdir(site(ws, "cache", "nested", "deeper"), { recursive: true });
  await writeFile(site(ws, "cache", "nested", "deeper", "x.cache"), "cached");
  await mkdir(site(ws, "cachefiles"), { recursive: true });
  await writeFile(site(ws, "cachefiles", "list.php"), "<?php // cached list");
  await writeFile(site(ws, "routes.php"), "<?php return [];");
  // Links pointing out of the cache: to a directory and to a file. Only the links may go.
  await symlink(outside, site(ws, "cache", "escape-dir")).catch(() => undefined);
  await symlink(path.join(outside, "keep.txt"), site(ws, "cachefiles", "escape-file")).catch(
    () => undefined,
  );
}

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 2, cases: 2 });
  [ws1, ws2] = install.workspaces.map((w) => w.name) as [string, string];
  outside = path.join(install.root, "outside");
  await mkdir(path.join(outside, "sub"), { recursive: true });
  await writeFile(path.join(outside, "keep.txt"), "precious");
  await writeFile(path.join(outside, "sub", "also-keep.txt"), "precious too");
  await mkdir(path.join(install.sharedDir, "compiled", "smarty", "c"), { recursive: true });
  await writeFile(
    path.join(install.sharedDir, "compiled", "smarty", "c", "tpl.php"),
    "compiled template",
  );
  await symlink(path.join(outside, "sub"), path.join(install.sharedDir, "compiled", "linked-sub"));
  await mkdir(path.join(install.sharedDir, "framework", "cache", "data", "ab"), {
    recursive: true,
  });
  await writeFile(
    path.join(install.sharedDir, "framework", "cache", "data", "ab", "entry"),
    "laravel",
  );
  for (const ws of [ws1, ws2]) await populate(ws);
  await chmod(site(ws1, "cache"), 0o750);
});
afterAll(async () => {
  await install?.cleanup();
});

describe("flush-cache", () => {
  it("--dry-run lists what would go and changes nothing", async () => {
    const before = await snapshot(install.root);
    const r = await run("--dry-run", "--json");
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      dryRun: boolean;
      files: number;
      wouldRemove: Array<{ path: string }>;
    };
    expect(doc.dryRun).toBe(true);
    const listed = doc.wouldRemove.map((f) => path.relative(install.sharedDir, f.path));
    expect(listed).toContain(`sites/${ws1}/cache/escape-dir`);
    expect(listed).toContain(`sites/${ws1}/cache/nested/deeper/x.cache`);
    expect(listed).toContain(`sites/${ws2}/routes.php`);
    expect(listed).toContain("compiled/linked-sub");
    expect(listed.some((p) => p.includes("also-keep"))).toBe(false);
    expect(doc.files).toBe(listed.length);
    expect(await snapshot(install.root)).toEqual(before);
  });

  it("flushes one named workspace and compiled/, and nothing of the others", async () => {
    const ws2Before = await snapshot(site(ws2));
    const r = await run(ws1);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Removed \d+ files/);
    expect(await snapshot(site(ws2))).toEqual(ws2Before);
    expect((await snapshot(site(ws1, "cache"))).size).toBe(0);
    expect((await snapshot(path.join(install.sharedDir, "compiled"))).size).toBe(0);
  });

  it("empties every cache of all workspaces and leaves everything else, link targets included, untouched", async () => {
    await populate(ws1);
    const outsideCache = (rel: string) => !isCachePath(rel);
    const before = await snapshot(install.root, (rel) => isCachePath(rel));
    const r = await run("--json");
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      files: number;
      bytes: number;
      workspaces: string[];
    };
    expect(doc.ok).toBe(true);
    expect(doc.workspaces).toEqual([ws1, ws2].sort());
    expect(doc.files).toBeGreaterThan(0);
    const after = await snapshot(install.root, (rel) => isCachePath(rel));
    expect(after).toEqual(before);
    expect([...after.keys()].filter(outsideCache)).toContain("outside/sub/also-keep.txt");
    for (const ws of [ws1, ws2]) {
      for (const dir of ["cache", "cachefiles"]) {
        expect((await stat(site(ws, dir))).isDirectory()).toBe(true);
        expect((await snapshot(site(ws, dir))).size).toBe(0);
      }
      await expect(lstat(site(ws, "routes.php"))).rejects.toThrow();
    }
    expect((await stat(site(ws1, "cache"))).mode & 0o777).toBe(0o750);
    expect((await snapshot(path.join(install.sharedDir, "framework", "cache", "data"))).size).toBe(
      0,
    );
  });

  it("does not follow a cache directory that is itself a link", async () => {
    await rm(site(ws2, "cache"), { recursive: true });
    await symlink(outside, site(ws2, "cache"));
    const before = await snapshot(outside);
    const r = await run(ws2, "--json");
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as { targets: Array<{ label: string; status: string }> };
    expect(doc.targets.find((t) => t.label === `sites/${ws2}/cache/`)?.status).toBe("skipped");
    expect(await snapshot(outside)).toEqual(before);
    expect((await lstat(site(ws2, "cache"))).isSymbolicLink()).toBe(true);
  });

  it("needs no database: a workspace whose database is unreachable is flushed", async () => {
    const dir = site("nodb");
    await mkdir(path.join(dir, "cache"), { recursive: true });
    await writeFile(path.join(dir, "cache", "stale"), "x");
    await writeFile(
      path.join(dir, "db.php"),
      "<?php\ndefine ('DB_ADAPTER', 'mysql');\ndefine ('DB_HOST', '192.0.2.1:1');\ndefine ('DB_NAME', 'wf_nodb');\ndefine ('DB_USER', 'nobody');\ndefine ('DB_PASS', 'x');\n",
    );
    const r = await run("nodb");
    expect(r.exitCode).toBe(0);
    expect((await snapshot(path.join(dir, "cache"))).size).toBe(0);
  });

  it("refuses (exit 3, naming the holder) while another process holds the workspace lock", async () => {
    await writeFile(site(ws1, "cache", "while-locked.cache"), "x");
    // This test process holds the lock as a backup would; the binary is the other process.
    const lock = await acquireWorkspaceLocks({
      sharedDir: install.sharedDir,
      workspaces: [ws1],
      operation: "backup",
    });
    try {
      const r = await runBin(["flush-cache", ws1], { env: install.env() });
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`LOCK\\.HELD.*pid ${process.pid}.*backup`));
      expect((await snapshot(site(ws1, "cache"))).has("while-locked.cache")).toBe(true);
    } finally {
      await lock.release();
    }
    const r = await runBin(["flush-cache", ws1], { env: install.env() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await snapshot(site(ws1, "cache"))).has("while-locked.cache")).toBe(false);
    expect(await readdir(lockDir(install.sharedDir))).toEqual([]);
  });
});
