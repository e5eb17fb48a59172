// Pass 1 over an archive: a large pmadmin manifest (a workspace of many files) is read, not refused;
// an archive without tar's end-of-archive blocks is corrupt.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { create } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPmError } from "../../src/errors.js";
import { resolveArchive } from "../../src/archive/read/source.js";
import { scanArchive } from "../../src/restore/scan.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pmadmin-scan-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function source(file: string) {
  return resolveArchive(file, { sharedDir: dir, cwd: dir, multiple: false });
}

describe("scanArchive", () => {
  it("reads a manifest larger than metadata may be (~60k entries' worth)", async () => {
    const root = path.join(dir, "big");
    await mkdir(root);
    const text = JSON.stringify({ entries: "x".repeat(12 * 1024 * 1024) });
    await writeFile(path.join(root, "pmadmin-manifest.json"), text);
    await writeFile(path.join(root, "w.meta"), "{}");
    const file = path.join(dir, "big.tar");
    await create({ file, cwd: root, portable: true }, ["w.meta", "pmadmin-manifest.json"]);
    const work = await mkdtemp(path.join(dir, "work-"));
    const scan = await scanArchive(await source(file), work);
    const m = scan.manifest;
    expect(m && "file" in m ? (await readFile(m.file, "utf8")).length : undefined).toBe(
      text.length,
    );
    expect(scan.metas.get("w.meta")).toBe("{}");
  });

  it("refuses an archive cut at an entry boundary (no end-of-archive blocks)", async () => {
    const buf = await readFile(path.join(dir, "big.tar"));
    // Keep the first entry (header + one data block) only.
    const cut = path.join(dir, "cut.tar");
    await writeFile(cut, buf.subarray(0, 1024));
    const err = await scanArchive(await source(cut), await mkdtemp(path.join(dir, "work-"))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPmError(err) && err.code).toBe("RESTORE.CORRUPT");
  });
});
