// The command a hint prints must work as pasted: `pmadmin` only when that name on the PATH is
// this very copy, else this copy's bin/pmadmin.js by absolute path.
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownBinPath, selfCommand, shellWord } from "../../src/ui/self-command.js";

let dir: string;
const own = path.resolve(import.meta.dirname, "../../bin/pmadmin.js");

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pmadmin-self-"));
  await mkdir(path.join(dir, "linked"));
  await symlink(own, path.join(dir, "linked", "pmadmin")); // what npm i -g makes
  await mkdir(path.join(dir, "other"));
  await writeFile(path.join(dir, "other", "pmadmin"), "#!/bin/sh\n");
  await chmod(path.join(dir, "other", "pmadmin"), 0o755);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("selfCommand", () => {
  it("is bin/pmadmin.js of this package", () => {
    expect(ownBinPath()).toBe(own);
  });

  it("says pmadmin when the first pmadmin on the PATH is this copy", () => {
    expect(selfCommand({ PATH: `/nonexistent:${path.join(dir, "linked")}:/usr/bin` })).toBe(
      "pmadmin",
    );
  });

  it("gives the absolute path when another pmadmin comes first, or none is on the PATH", () => {
    const other = path.join(dir, "other");
    expect(selfCommand({ PATH: `${other}:${path.join(dir, "linked")}` })).toBe(own);
    expect(selfCommand({ PATH: "/nonexistent" })).toBe(own);
    expect(selfCommand({})).toBe(own);
    // Relative PATH entries depend on the directory the hint is pasted in: never trusted.
    expect(selfCommand({ PATH: "." }, own)).toBe(own);
  });

  it("quotes a path that needs it, and runs it with node when it is not executable", async () => {
    expect(shellWord("/opt/my tools/pmadmin.js")).toBe("'/opt/my tools/pmadmin.js'");
    expect(shellWord("/usr/lib/pmadmin.js")).toBe("/usr/lib/pmadmin.js");
    const plain = path.join(dir, "it's here.js");
    await writeFile(plain, "");
    expect(selfCommand({ PATH: "" }, plain)).toBe(`node '${dir}/it'\\''s here.js'`);
  });
});
