// walk() over a tree that changes while it is walked: what vanished is left out, the rest is there.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { walk } from "../../src/fsx/walk.js";

let root: string;
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("walk", () => {
  it("leaves out entries deleted after their directory was listed", async () => {
    root = await mkdtemp(path.join(tmpdir(), "walk-"));
    await writeFile(path.join(root, "a.txt"), "a");
    await mkdir(path.join(root, "b"));
    await writeFile(path.join(root, "b", "x"), "x");
    await writeFile(path.join(root, "c.txt"), "c");
    const seen: string[] = [];
    for await (const e of walk(root)) {
      seen.push(e.rel);
      // The root was listed already: these vanish before walk reaches them.
      if (e.rel === "a.txt") await rm(path.join(root, "b"), { recursive: true });
      if (e.rel === "a.txt") await rm(path.join(root, "c.txt"));
    }
    expect(seen).toEqual(["a.txt"]);
  });

  it("still fails when the root itself is missing", async () => {
    root = path.join(tmpdir(), "walk-missing-root-never-made");
    const run = async (): Promise<void> => {
      for await (const e of walk(root)) void e;
    };
    await expect(run()).rejects.toThrow(/ENOENT/);
  });
});
