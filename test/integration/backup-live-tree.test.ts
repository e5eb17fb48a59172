// Backing up a live installation: ProcessMaker (and flush-cache) create and delete cache files all
// day, so entries vanish and change under the walk. First the exact moments, made deterministic
// through the site-files fs seam; then a real churner process during several whole backups.
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import {
  appendFile,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  truncate,
  unlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ManifestEntry } from "../../src/archive/manifest.js";
import { TarWriter } from "../../src/archive/tar-writer.js";
import { archiveSiteFiles } from "../../src/backup/site-files.js";
import { realSiteFs, type SiteFs } from "../../src/backup/site-fs.js";
import { runInProcess } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "pmadmin-live-tree-"));
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

describe("entries that vanish or change between the walk and the read", () => {
  it("leaves out what vanished, archives what changed as read, header and checksum matching", async () => {
    const site = path.join(scratch, "site");
    const small = (n: number): Buffer => Buffer.alloc(n, 0x61);
    await mkdir(path.join(site, "cache", "gone-dir"), { recursive: true });
    await writeFile(path.join(site, "cache", "gone-dir", "inner.txt"), "x");
    await writeFile(path.join(site, "cache", "gone-before-lstat.txt"), "x");
    await writeFile(path.join(site, "cache", "gone-before-open.txt"), "x");
    await symlink("target", path.join(site, "cache", "gone-link"));
    await writeFile(path.join(site, "files-shrinks.txt"), small(1000));
    await writeFile(path.join(site, "files-grows.txt"), small(1000));
    await writeFile(path.join(site, "files-modified.txt"), small(1000));
    await writeFile(path.join(site, "big-shrinks.bin"), randomBytes(3 << 20));
    await writeFile(path.join(site, "big-grows.bin"), randomBytes(3 << 20));
    await writeFile(path.join(site, "steady.txt"), "steady\n");
    const at = (name: string): string => path.join(site, name);

    // Each hook changes the tree at the exact moment between the walk's look and the read.
    const fs: Partial<SiteFs> = {
      readdir: (abs) => {
        if (abs === at("cache/gone-dir")) realRm(abs);
        return realSiteFs.readdir(abs);
      },
      lstat: (abs) => {
        if (abs === at("cache/gone-before-lstat.txt")) realUnlink(abs);
        return realSiteFs.lstat(abs);
      },
      readlink: (abs) => {
        if (abs === at("cache/gone-link")) realUnlink(abs);
        return realSiteFs.readlink(abs);
      },
      open: (abs) => {
        const before = pendingOpen.get(abs);
        if (before) before();
        return realSiteFs.open(abs);
      },
    };
    const { rmSync, unlinkSync, truncateSync, appendFileSync, writeFileSync, utimesSync } =
      await import("node:fs");
    const realRm = (p: string): void => rmSync(p, { recursive: true, force: true });
    const realUnlink = (p: string): void => unlinkSync(p);
    const pendingOpen = new Map<string, () => void>([
      [at("cache/gone-before-open.txt"), () => unlinkSync(at("cache/gone-before-open.txt"))],
      [at("files-shrinks.txt"), () => truncateSync(at("files-shrinks.txt"), 400)],
      [at("files-grows.txt"), () => appendFileSync(at("files-grows.txt"), small(300))],
      [
        at("files-modified.txt"),
        () => {
          writeFileSync(at("files-modified.txt"), Buffer.alloc(1000, 0x62));
          utimesSync(at("files-modified.txt"), new Date(0), new Date(0));
        },
      ],
      [at("big-shrinks.bin"), () => truncateSync(at("big-shrinks.bin"), 2 << 20)],
      [at("big-grows.bin"), () => appendFileSync(at("big-grows.bin"), randomBytes(1 << 20))],
    ]);

    const tarFile = path.join(scratch, "live.tar");
    const out = createWriteStream(tarFile);
    const entries: ManifestEntry[] = [];
    const tar = new TarWriter(out, (e) => entries.push(e));
    const r = await archiveSiteFiles(tar, {
      siteDir: site,
      prefix: "ws.files",
      skipUnreadable: false,
      signal: new AbortController().signal,
      fs,
    });
    await tar.finish();
    if (!out.closed) await once(out, "close");

    expect(r.vanished.sort()).toEqual(
      [
        "cache/gone-before-lstat.txt",
        "cache/gone-before-open.txt",
        "cache/gone-dir",
        "cache/gone-link",
      ].map(at),
    );
    const why = new Map(r.changed.map((c) => [path.relative(site, c.path), c.why]));
    expect([...why.keys()].sort()).toEqual([
      "big-grows.bin",
      "big-shrinks.bin",
      "files-grows.txt",
      "files-modified.txt",
      "files-shrinks.txt",
    ]);
    expect(why.get("files-shrinks.txt")).toMatch(/shrank from 1000 to 400 bytes.*padded/);
    expect(why.get("files-grows.txt")).toMatch(/grew from 1000 to 1300 bytes.*cut at 1000/);
    expect(why.get("big-shrinks.bin")).toMatch(/shrank from 3145728 to 2097152/);
    expect(why.get("big-grows.bin")).toMatch(/grew from 3145728 to 4194304/);
    expect(why.get("files-modified.txt")).toMatch(/modified/);
    expect(why.has("steady.txt")).toBe(false);

    // GNU tar reads the archive to its end (a header size that the data did not match would
    // derail it), and every file's bytes are what the manifest's size and SHA-256 say.
    const x = path.join(scratch, "extracted");
    await mkdir(x);
    await execa("tar", ["-xf", tarFile, "-C", x]);
    const files = entries.filter((e) => e.type === "file");
    expect(files.map((e) => e.name).sort()).toEqual(
      [
        "big-grows.bin",
        "big-shrinks.bin",
        "files-grows.txt",
        "files-modified.txt",
        "files-shrinks.txt",
        "steady.txt",
      ].map((n) => `ws.files/${n}`),
    );
    for (const e of files) {
      const data = await readFile(path.join(x, e.name));
      expect(data.length, e.name).toBe(e.size);
      expect(sha(data), e.name).toBe(e.sha256);
    }
    const shrunk = await readFile(path.join(x, "ws.files/files-shrinks.txt"));
    expect(shrunk.subarray(0, 400)).toEqual(small(400));
    expect(shrunk.subarray(400)).toEqual(Buffer.alloc(600));
    expect((await readFile(path.join(x, "ws.files/big-grows.bin"))).length).toBe(3 << 20);
    expect(entries.map((e) => e.name)).toContain("ws.files/cache");
    expect(entries.map((e) => e.name)).not.toContain("ws.files/cache/gone-link");
  });
});

describe("workspace-backup of a workspace whose caches churn", () => {
  let install: TestInstall;
  let ws: TestInstall["workspaces"][number];
  let stopChurner: (() => Promise<unknown>) | undefined;

  beforeAll(async () => {
    install = await createTestInstall({ cases: 20 });
    ws = install.workspaces[0] as TestInstall["workspaces"][number];
  });
  afterAll(async () => {
    await stopChurner?.();
    await install?.cleanup();
  });

  // A separate process, so it really runs while the backup walks synchronously: it creates and
  // deletes files and directories in cache/ and files/ as fast as it can.
  const CHURN = `
    const fs = require("node:fs");
    const path = require("node:path");
    const roots = process.argv.slice(1);
    let i = 0;
    for (;;) {
      const root = roots[i % roots.length];
      const dir = path.join(root, "churn-" + (i % 7));
      try {
        fs.mkdirSync(dir, { recursive: true });
        for (let j = 0; j < 20; j++) fs.writeFileSync(path.join(dir, "f" + j + ".cache"), "x".repeat(j * 100));
        const sub = path.join(dir, "sub-" + (i % 3));
        fs.mkdirSync(sub, { recursive: true });
        fs.writeFileSync(path.join(sub, "deep.cache"), "y".repeat(5000));
        if (i % 2 === 0) fs.rmSync(dir, { recursive: true, force: true });
        else for (let j = 0; j < 20; j += 2) fs.rmSync(path.join(dir, "f" + j + ".cache"), { force: true });
        fs.truncateSync(path.join(root, "growing.log"), (i * 37) % 4096);
      } catch {}
      i++;
    }`;

  it("exits 0 every time and writes an archive whose checksums verify", async () => {
    const cache = path.join(ws.siteDir, "cache");
    const files = path.join(ws.siteDir, "files", "live");
    await mkdir(cache, { recursive: true });
    await mkdir(files, { recursive: true });
    for (let k = 0; k < 300; k++) await writeFile(path.join(cache, `seed-${k}.cache`), "s");
    const child = execa(process.execPath, ["-e", CHURN, cache, files], { reject: false });
    stopChurner = async () => {
      child.kill("SIGKILL");
      return child;
    };
    for (let run = 0; run < 4; run++) {
      const name = `live-${run}.tar.gz`;
      // Some of the seed files go while the backup runs, too.
      setTimeout(() => {
        for (let k = run; k < 300; k += 4)
          void unlink(path.join(cache, `seed-${k}.cache`)).catch(() => undefined);
      }, 5);
      const r = await runInProcess(["workspace-backup", "--json", ws.name, name], {
        env: install.env(),
      });
      expect(r.exitCode, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { ok: boolean; warnings: string[] };
      expect(doc.ok).toBe(true);
      expect(Array.isArray(doc.warnings)).toBe(true);
      for (const w of doc.warnings) expect(w).toMatch(/vanished|while read/);
      expect(r.stderr).not.toMatch(/INTERNAL|ENOENT/);
      const archive = path.join(install.sharedDir, "backups", name);
      await execa("tar", ["-tzf", archive]);
      const info = await runInProcess(["workspace-restore", "-i", "--json", archive], {
        env: install.env(),
      });
      expect(info.exitCode, info.stderr).toBe(0);
      expect(JSON.parse(info.stdout)).toMatchObject({ checksums: "verified" });
      for (let k = 0; k < 300; k++) await appendFile(path.join(cache, `seed-${k}.cache`), "s");
    }
    expect(child.exitCode).toBeNull(); // it really ran throughout
    await stopChurner();
    stopChurner = undefined;
    await truncate(path.join(files, "growing.log"), 0).catch(() => undefined);
  }, 240_000);
});
