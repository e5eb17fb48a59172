// The site files are archived on a worker thread (tar-thread.ts) in a backup, and on the main
// thread when a test replaces file-system calls: both must write the same bytes and the same
// manifest records, in batches that GNU tar reads back, and the worker must stop on a signal.
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ManifestEntry } from "../../src/archive/manifest.js";
import { TarWriter } from "../../src/archive/tar-writer.js";
import { archiveSiteFiles } from "../../src/backup/site-files.js";
import { runTarJob } from "../../src/backup/tar-thread.js";

let scratch: string;
let site: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "pmadmin-site-tar-"));
  site = path.join(scratch, "site");
  // Sizes around the batch (1 MiB) and small-file (1 MiB) limits, empty files and directories,
  // links, a name too long for ustar, non-ASCII names, and enough files to fill many batches.
  await mkdir(path.join(site, "files", "deep", "er", "still"), { recursive: true });
  await mkdir(path.join(site, "empty-dir"));
  await writeFile(path.join(site, "zero.txt"), "");
  await writeFile(path.join(site, "one-block.bin"), randomBytes(512));
  await writeFile(path.join(site, "just-small.bin"), randomBytes(1 << 20));
  await writeFile(path.join(site, "just-large.bin"), randomBytes((1 << 20) + 1));
  await writeFile(path.join(site, "large.bin"), randomBytes((5 << 20) + 123));
  await writeFile(path.join(site, "files", "deep", "er", "still", `${"n".repeat(180)}.pdf`), "x");
  await writeFile(path.join(site, "files", "ünïcødé – ファイル.txt"), "ü\n");
  await symlink("../large.bin", path.join(site, "files", "link-to-large"));
  await symlink("nowhere", path.join(site, "dangling"));
  for (let i = 0; i < 600; i++) {
    await writeFile(
      path.join(site, "files", `doc-${String(i).padStart(4, "0")}.txt`),
      randomBytes(i * 37),
    );
  }
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function archive(
  name: string,
  how: "worker" | "inline",
): Promise<{ file: string; entries: ManifestEntry[]; bytes: number }> {
  const file = path.join(scratch, name);
  const out = createWriteStream(file);
  const entries: ManifestEntry[] = [];
  const tar = new TarWriter(out, (e) => entries.push(e));
  let bytes = 0;
  const r = await archiveSiteFiles(tar, {
    siteDir: site,
    prefix: "ws.files",
    skipUnreadable: false,
    signal: new AbortController().signal,
    onFile: (n) => (bytes += n),
    // Any replaced call keeps the walk on the main thread; this one changes nothing.
    ...(how === "inline" ? { fs: {} } : {}),
  });
  await tar.finish();
  if (!out.closed) await once(out, "close");
  expect(r.vanished).toEqual([]);
  expect(r.changed).toEqual([]);
  expect(r.files).toBe(entries.filter((e) => e.type === "file").length);
  return { file, entries, bytes };
}

const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

describe("site files on a worker thread", () => {
  it("writes the same archive and records as the walk on the main thread, readable by GNU tar", async () => {
    const w = await archive("worker.tar", "worker");
    const i = await archive("inline.tar", "inline");
    expect(sha(await readFile(w.file))).toBe(sha(await readFile(i.file)));
    expect(w.entries).toEqual(i.entries);
    expect(w.bytes).toBe(i.bytes);
    expect(w.entries.length).toBeGreaterThan(600);

    const x = path.join(scratch, "x");
    await mkdir(x);
    await execa("tar", ["-xf", w.file, "-C", x]);
    for (const e of w.entries.filter((e) => e.type === "file")) {
      const content = await readFile(path.join(x, e.name));
      expect({ name: e.name, size: content.length, sha256: sha(content) }).toEqual({
        name: e.name,
        size: e.size,
        sha256: e.sha256,
      });
    }
    const names = w.entries.map((e) => e.name);
    expect(names).toContain("ws.files/empty-dir");
    expect(names).toContain(`ws.files/files/deep/er/still/${"n".repeat(180)}.pdf`);
    expect(w.entries.find((e) => e.name === "ws.files/dangling")).toMatchObject({
      type: "symlink",
      linkname: "nowhere",
    });
  });

  it("archives one file as a named entry with pmadmin's owner and mode", async () => {
    const file = path.join(scratch, "one.tar");
    const out = createWriteStream(file);
    const entries: ManifestEntry[] = [];
    const tar = new TarWriter(out, (e) => entries.push(e));
    const done = await runTarJob(
      tar,
      {
        kind: "file",
        path: path.join(site, "large.bin"),
        name: "wf_x.sql",
        mode: 0o600,
        uid: 0,
        gid: 0,
        mtime: 1_700_000_000,
      },
      { signal: new AbortController().signal },
    );
    await tar.finish();
    if (!out.closed) await once(out, "close");
    const content = await readFile(path.join(site, "large.bin"));
    expect(done.size).toBe(content.length);
    expect(entries).toEqual([
      { name: "wf_x.sql", type: "file", size: content.length, sha256: sha(content), mode: 0o600 },
    ]);
    const listing = (await execa("tar", ["-tvf", file])).stdout;
    expect(listing).toMatch(/^-rw------- 0\/0 +5243003 \d{4}-\d\d-\d\d \d\d:\d\d wf_x\.sql$/);
  });

  it("stops at once on a signal: INTERRUPTED, and the worker writes nothing more", async () => {
    const file = path.join(scratch, "stopped.tar");
    const out = createWriteStream(file);
    const tar = new TarWriter(out, () => undefined);
    const stop = new AbortController();
    let batches = 0;
    const p = runTarJob(
      tar,
      { kind: "tree", siteDir: site, prefix: "ws.files", skipUnreadable: false },
      {
        signal: stop.signal,
        onBatch: () => {
          batches += 1;
          if (batches === 1) stop.abort(new Error("test"));
        },
      },
    );
    const error = (await p.catch((e: unknown) => e)) as { code?: string };
    expect(error.code).toBe("INTERRUPTED");
    const written = tar.written;
    await new Promise((r) => setTimeout(r, 200));
    expect(tar.written).toBe(written);
    expect(batches).toBe(1);
    out.destroy();
  });

  it("a missing workspace directory fails naming it", async () => {
    const tar = new TarWriter(
      createWriteStream(path.join(scratch, "missing.tar")),
      () => undefined,
    );
    const error = (await archiveSiteFiles(tar, {
      siteDir: path.join(scratch, "no-such-site"),
      prefix: "ws.files",
      skipUnreadable: false,
      signal: new AbortController().signal,
    }).catch((e: unknown) => e)) as { code?: string; message: string };
    expect(error.code).toBe("BACKUP.UNREADABLE");
    expect(error.message).toContain("no-such-site");
  });
});
