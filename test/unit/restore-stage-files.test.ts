// The stager resolves every entry against the staged tree as it is on disk: whatever the planner
// let through, no link is followed while writing, and no directory is replaced by a link.
import { mkdtemp, mkdir, readFile, readdir, rm, symlink, writeFile, lstat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import type { ReadEntry } from "tar";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isPmError } from "../../src/errors.js";
import type { PlannedEntry } from "../../src/restore/layout.js";
import { FileStager } from "../../src/restore/stage-files.js";

let base: string;
let stage: string;
let outside: string;
let stager: FileStager;

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), "stage-files-"));
  stage = path.join(base, "sites", "stage");
  outside = path.join(base, "outside");
  await mkdir(path.join(base, "sites"));
  await mkdir(path.join(base, "work"));
  await mkdir(outside);
  await writeFile(path.join(outside, "keep"), "keep");
  stager = new FileStager(stage, path.join(base, "work"));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

function planned(rel: string, kind: PlannedEntry["kind"], extra: Partial<PlannedEntry> = {}) {
  const p: PlannedEntry = {
    kind,
    rel,
    entry: {
      path: `w.files/${rel}`,
      type: kind,
      size: 0,
      mode: 0o644,
      mtime: undefined,
      linkpath: undefined,
      sha256: undefined,
    },
    ...extra,
  };
  return p;
}

const data = (text = ""): ReadEntry => Readable.from([Buffer.from(text)]) as unknown as ReadEntry;

async function write(p: PlannedEntry, text?: string): Promise<string | undefined> {
  try {
    await stager.write(p, data(text));
    return undefined;
  } catch (error) {
    return isPmError(error) ? `${error.code}: ${error.message}` : String(error);
  }
}

describe("FileStager", () => {
  it("refuses to write below a link that is on disk, even one the plan did not know", async () => {
    await mkdir(stage);
    await symlink(outside, path.join(stage, "L"));
    expect(await write(planned("L/x", "file"), "x")).toMatch(
      /RESTORE.UNSAFE_ENTRY.*w.files\/L\/x.*below a symbolic link \(L\)/,
    );
    expect(await write(planned("L/d", "dir"))).toMatch(/below a symbolic link/);
    const link = planned("L/s", "symlink");
    link.entry.linkpath = "x";
    expect(await write(link)).toMatch(/below a symbolic link/);
    expect(await readdir(outside)).toEqual(["keep"]);
  });

  it("never opens a link's target when a file replaces the link", async () => {
    await mkdir(stage);
    await symlink(path.join(outside, "keep"), path.join(stage, "f"));
    expect(await write(planned("f", "file"), "new")).toBeUndefined();
    expect((await lstat(path.join(stage, "f"))).isFile()).toBe(true);
    expect(await readFile(path.join(outside, "keep"), "utf8")).toBe("keep");
  });

  it("refuses to replace a directory by a link (its cached path would go stale)", async () => {
    expect(await write(planned("d", "dir"))).toBeUndefined();
    expect(await write(planned("d/f", "file"), "f")).toBeUndefined();
    const link = planned("d", "symlink");
    link.entry.linkpath = "..";
    expect(await write(link)).toMatch(/RESTORE.UNSAFE_ENTRY.*replaces a directory/);
    expect((await lstat(path.join(stage, "d"))).isDirectory()).toBe(true);
  });

  it("a hard link only to a regular file reached through real directories", async () => {
    await mkdir(path.join(stage, "a"), { recursive: true });
    await writeFile(path.join(outside, "secret"), "s");
    await symlink(outside, path.join(stage, "L"));
    await symlink("../outside/secret", path.join(stage, "s"));
    expect(await write(planned("h", "hardlink", { linkRel: "L/secret" }))).toMatch(
      /hard link through/,
    );
    expect(await write(planned("h", "hardlink", { linkRel: "s" }))).toMatch(/not a file/);
    expect(await write(planned("a/f", "file"), "f")).toBeUndefined();
    expect(await write(planned("h", "hardlink", { linkRel: "a/f" }))).toBeUndefined();
    expect((await lstat(path.join(stage, "h"))).nlink).toBe(2);
  });
});
