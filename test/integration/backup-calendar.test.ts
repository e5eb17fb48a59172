// --keep-daily/--keep-weekly/--keep-monthly on real backups: the creation time comes from the
// archive (not the file's mtime), --dry-run lists exactly what a run then removes, and encrypted
// backups (unreadable without the identity) are dated by their names.
import { execFileSync } from "node:child_process";
import { mkdir, readdir, utimes } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

let install: TestInstall;
let wsName: string;
let root: string;
let recipient: string;

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 1, cases: 1 });
  wsName = install.workspaces[0]!.name;
  root = path.join(install.root, "cal");
  await mkdir(root);
  const key = path.join(root, "key.txt");
  execFileSync("age-keygen", ["-o", key], { stdio: "pipe" });
  recipient = execFileSync("age-keygen", ["-y", key]).toString().trim();
}, 120_000);
afterAll(async () => {
  await install?.cleanup();
});

const day = (d: number) => new Date(Date.UTC(2026, 10, d, 3, 0, 0));
const name = (d: number, ext: string) => `${wsName}-2026-11-${String(d).padStart(2, "0")}${ext}`;

async function backup(dir: string, d: number, ext: string, extra: string[] = []) {
  const r = await runInProcess(
    ["--json", "workspace-backup", ...extra, wsName, path.join(dir, name(d, ext))],
    { env: install.env(), now: day(d) },
  );
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { removed?: string[]; wouldRemove?: string[] };
}

describe("calendar retention on a directory of backups", () => {
  it("--keep-daily 3 --keep-weekly 2 keeps by the archive's own time; --dry-run says exactly what goes", async () => {
    const dir = path.join(root, "plain");
    await mkdir(dir);
    // Nov 16 (Mon) … Nov 27 (Fri), one a day; mtimes scrambled so only the archive's time can order them.
    for (let d = 16; d <= 27; d++) await backup(dir, d, ".tar.gz");
    for (const [i, f] of (await readdir(dir)).entries()) {
      const t = new Date(Date.UTC(2020, 0, 1 + ((i * 5) % 12)));
      await utimes(path.join(dir, f), t, t);
    }
    const rules = ["--keep-daily", "3", "--keep-weekly", "2"];
    const dry = await backup(dir, 28, ".tar.gz", ["--dry-run", ...rules]);
    // Kept: the new one (28th) and the 27th, 26th (daily), the 22nd (Sunday: newest of last week).
    const expected = [16, 17, 18, 19, 20, 21, 23, 24, 25].map((d) =>
      path.join(dir, name(d, ".tar.gz")),
    );
    expect([...(dry.wouldRemove ?? [])].sort()).toEqual(expected);
    const run = await backup(dir, 28, ".tar.gz", rules);
    expect([...(run.removed ?? [])].sort()).toEqual(expected);
    expect((await readdir(dir)).sort()).toEqual([22, 26, 27, 28].map((d) => name(d, ".tar.gz")));
  });

  it("encrypted backups: dated by their names, kept and removed by the same rules", async () => {
    const dir = path.join(root, "enc");
    await mkdir(dir);
    for (let d = 20; d <= 25; d++) await backup(dir, d, ".tar.gz", ["--encrypt-to", recipient]);
    const r = await backup(dir, 26, ".tar.gz", ["--encrypt-to", recipient, "--keep-daily", "2"]);
    expect([...(r.removed ?? [])].sort()).toEqual(
      [20, 21, 22, 23, 24].map((d) => path.join(dir, name(d, ".tar.gz.age"))),
    );
    expect((await readdir(dir)).sort()).toEqual([25, 26].map((d) => name(d, ".tar.gz.age")));
  });
});
