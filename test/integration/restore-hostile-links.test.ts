// Hostile archives made of links (issue 10, item 3): each link lexically inside the workspace, but
// together, or spelled with `./` and `//`, or replaced by later entries, they would lead writes
// outside it. Whatever the exit code, the world outside the restore target stays as it was: other
// workspaces, a directory next to the installation, databases and accounts, the temp dir. Runs on
// a private server (a failing test cannot damage the shared one) with a private TMPDIR.
import { mkdtempSync } from "node:fs";
import { copyFile, lstat, mkdir, readFile, readlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDbPhp } from "../../src/install/db-php.js";
import { runInProcess } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { buildPmArchive, type PmArchive } from "../helpers/pm-archive.js";
import { appendTarEntries, type RawTarEntry } from "../helpers/raw-tar.js";
import { startExtraServer, type ExtraServer } from "../helpers/servers.js";
import { expectWorldUnchanged, worldSnapshot } from "../helpers/world.js";

// Before anything calls tmpdir(): this file's pmadmin runs leave (or not) their debris here only.
const TMP = mkdtempSync(path.join(tmpdir(), "hostile-links-"));
process.env["TMPDIR"] = TMP;

let server: ExtraServer;
let install: TestInstall;
let archive: PmArchive;
let ws: TestInstall["workspaces"][number];
let other: TestInstall["workspaces"][number];
let outside: string;
let n = 0;

beforeAll(async () => {
  server = await startExtraServer();
  install = await createTestInstall({ admin: server.admin, workspaces: 2, cases: 2 });
  [ws, other] = install.workspaces as [typeof ws, typeof other];
  outside = path.join(install.root, "outside");
  await mkdir(outside);
  await writeFile(path.join(outside, "keep.txt"), "outside\n");
  // pmadmin's own bookkeeping directories, made on first use: there from the start, so the world
  // compares what is inside them (no lock or journal may be left behind).
  await mkdir(path.join(install.sharedDir, ".pmadmin-locks"), { mode: 0o755 });
  await mkdir(path.join(install.sharedDir, ".pmadmin-journal"), { mode: 0o700 });
  archive = await buildPmArchive(ws, { server: server.admin });
}, 300_000);
afterAll(async () => {
  await archive?.cleanup();
  await install?.cleanup();
  await server?.stop();
});

/** The base archive plus `entries` (the workspace directory is `W/`). */
async function hostile(entries: RawTarEntry[]): Promise<string> {
  n += 1;
  const file = path.join(archive.dir, `hostile-${n}.tar`);
  await copyFile(archive.file, file);
  const W = `${ws.name}.files`;
  await appendTarEntries(
    file,
    entries.map((e) => ({ ...e, path: e.path.replace("W/", `${W}/`) })),
  );
  return file;
}

const snapshot = (o: { target?: string; user?: string } = {}) =>
  worldSnapshot(server.admin, {
    roots: [install.sharedDir, outside],
    skipPaths: o.target ? [path.join(install.sharedDir, "sites", o.target)] : [],
    targetDatabases: o.target ? [`wf_${o.target}`] : [],
    targetAccounts: o.user ? [o.user] : [],
    tmpDir: TMP,
  });

/** Refused with RESTORE.UNSAFE_ENTRY naming `entry`, under a new name and over the live workspace. */
async function expectRefused(entries: RawTarEntry[], entry: string, why: RegExp): Promise<void> {
  const file = await hostile(entries);
  const named = entry.replace("W/", `${ws.name}.files/`);
  for (const args of [
    [file, `hx${n}`],
    ["-o", "--yes", file],
  ]) {
    const before = await snapshot();
    const r = await runInProcess(["workspace-restore", ...args], { env: install.env() });
    // The world first: it matters whatever the exit code says.
    expectWorldUnchanged(before, await snapshot());
    expect(r.stderr, r.stderr).toContain("pmadmin: error [RESTORE.UNSAFE_ENTRY]");
    expect(r.stderr).toContain(`'${named}'`);
    expect(r.stderr).toMatch(why);
    expect(r.exitCode).toBe(1);
  }
}

/** Restored under a new name; returns the restored workspace directory. */
async function expectRestored(entries: RawTarEntry[]): Promise<string> {
  const file = await hostile(entries);
  const target = `hx${n}`;
  const before = await snapshot();
  const r = await runInProcess(["workspace-restore", file, target], { env: install.env() });
  expect(r.exitCode, r.stderr).toBe(0);
  const site = path.join(install.sharedDir, "sites", target);
  const user = parseDbPhp(await readFile(path.join(site, "db.php"), "utf8")).wf.user;
  install.track(`wf_${target}`, user);
  expectWorldUnchanged(before, await snapshot({ target, user }));
  return site;
}

describe("workspace-restore of links that escape together", () => {
  const L1 = [
    { path: "W/a/", type: "Directory" },
    { path: "W/a/L1", type: "SymbolicLink", linkpath: ".." },
  ] as const satisfies RawTarEntry[];

  it("a chain a/L1 -> .., L2 -> a/L1/a/L1/../../.. to a directory next to the installation", async () => {
    await expectRefused(
      [
        ...L1,
        { path: "W/L2", type: "SymbolicLink", linkpath: "a/L1/a/L1/../../../../outside" },
        { path: "./W/L2/x", data: "through ./L2\n" },
        { path: "W/L2/x", data: "through L2\n" },
      ],
      "W/L2",
      /climbs back up/,
    );
  });

  it("a chain into another workspace's directory", async () => {
    await expectRefused(
      [
        ...L1,
        { path: "W/L3", type: "SymbolicLink", linkpath: `a/L1/a/L1/../../${other.name}` },
        { path: "W/L3/db.php", data: "<?php // replaced\n" },
      ],
      "W/L3",
      /climbs back up/,
    );
  });

  it("a link straight at another workspace's directory", async () => {
    await expectRefused(
      [{ path: "W/o", type: "SymbolicLink", linkpath: `../${other.name}` }],
      "W/o",
      /pointing outside/,
    );
  });

  for (const spelling of ["./W/a/L1/x", "W//a/L1/x", "W/./a/L1/x", "W/a/./L1/x", "W/a//L1/x"]) {
    it(`an entry spelled '${spelling}' below an inside link`, async () => {
      await expectRefused(
        [...L1, { path: spelling, data: "below a link\n" }],
        spelling,
        /below a symbolic link/,
      );
    });
  }

  it("a hard link whose target path goes through a link", async () => {
    await expectRefused(
      [...L1, { path: "W/h", type: "Link", linkpath: "W/a/L1/db.php" }],
      "W/h",
      /hard link/,
    );
  });

  it("a hard link to a name that a later entry made a link", async () => {
    await expectRefused(
      [
        { path: "W/t", data: "a file first\n" },
        { path: "W/t", type: "SymbolicLink", linkpath: "db.php" },
        { path: "W/h2", type: "Link", linkpath: "W/t" },
      ],
      "W/h2",
      /hard link/,
    );
  });

  it("a directory replaced later by a link, then written through", async () => {
    await expectRefused(
      [
        { path: "W/d/", type: "Directory" },
        { path: "W/d/f", data: "in d\n" },
        { path: "W/d", type: "SymbolicLink", linkpath: "files" },
      ],
      "W/d",
      /replaces a directory/,
    );
    await expectRefused(
      [
        { path: "W/d/", type: "Directory" },
        { path: "W/d", type: "SymbolicLink", linkpath: "." },
        { path: "W/d/g", data: "through d\n" },
      ],
      "W/d/g",
      /below a symbolic link/,
    );
  });

  it("a link replaced later by a directory restores, the directory real", async () => {
    const site = await expectRestored([
      { path: "W/a/", type: "Directory" },
      { path: "W/a/L", type: "SymbolicLink", linkpath: "../files" },
      { path: "W/a/L/", type: "Directory" },
      { path: "W/a/L/x", data: "in a real directory\n" },
    ]);
    expect((await lstat(path.join(site, "a", "L"))).isDirectory()).toBe(true);
    expect(await readFile(path.join(site, "a", "L", "x"), "utf8")).toBe("in a real directory\n");
    await expect(lstat(path.join(site, "files", "x"))).rejects.toThrow(/ENOENT/);
  });

  it("a link then a file of the same name restores the file, not through the link", async () => {
    const site = await expectRestored([
      { path: "W/n", type: "SymbolicLink", linkpath: "db.php" },
      { path: "W/n", data: "plain file\n" },
    ]);
    expect((await lstat(path.join(site, "n"))).isFile()).toBe(true);
    expect(await readFile(path.join(site, "n"), "utf8")).toBe("plain file\n");
    expect(await readFile(path.join(site, "db.php"), "utf8")).toContain("DB_NAME");
  });

  it("the workspace's own inside link (public/latest.html -> ../mailTemplates/…) still restores", async () => {
    const site = await expectRestored([]);
    expect(await readlink(path.join(site, "public", "latest.html"))).toBe(
      "../mailTemplates/alert_message.html",
    );
  });
});
