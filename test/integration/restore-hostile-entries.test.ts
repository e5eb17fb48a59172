// Hostile archive entries that pmadmin refused before issue 10 — `..`, absolute paths, hard links
// out, devices and fifos, a single link to slip through, tampered checksums, shell escapes in
// names, bad names and meta directories pointing out — judged now by the world outside the
// restore target (other databases, accounts, the mysql schema, every file of the installation and
// next to it, temp debris), not by the exit code alone. A private server of their own.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisionedWorkspace } from "../../src/sandbox/provision.js";
import { runInProcess } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { buildPmArchive, pmMeta, pmMetaText, type PmArchive } from "../helpers/pm-archive.js";
import { startExtraServer, type ExtraServer } from "../helpers/servers.js";
import { appendRawEntries, type RawTarEntry } from "../helpers/tar-raw.js";
import { expectWorldUnchanged, worldSnapshot } from "../helpers/world.js";

const privateTmp = await mkdtemp(path.join(tmpdir(), "hostile-entries-tmp-"));
const systemTmp = tmpdir();

let server: ExtraServer;
let install: TestInstall;
let ws: ProvisionedWorkspace;
let outside: string;
let n = 0;

beforeAll(async () => {
  server = await startExtraServer();
  install = await createTestInstall({ admin: server.admin, workspaces: 0 });
  process.env["TMPDIR"] = privateTmp;
  ws = await install.addWorkspace({ name: "source", cases: 2 });
  await install.addWorkspace({ name: "neighbour", cases: 1 });
  await mkdir(path.join(install.sharedDir, ".pmadmin-journal"), { mode: 0o700 });
  await mkdir(path.join(install.sharedDir, ".pmadmin-locks"), { mode: 0o755 });
  outside = path.join(install.root, "outside");
  await mkdir(outside);
  await writeFile(path.join(outside, "keep.txt"), "outside the installation\n");
});
afterAll(async () => {
  process.env["TMPDIR"] = systemTmp;
  await install?.cleanup();
  await server?.stop();
  await rm(privateTmp, { recursive: true, force: true });
});

const sites = (): string => path.join(install.sharedDir, "sites");

/** A refused restore changes nothing at all: its target included. */
function snapshot() {
  return worldSnapshot(server.admin, { roots: [install.root], tmpDir: privateTmp });
}

async function archive(
  o: { entries?: RawTarEntry[]; mutate?: (tree: string) => Promise<void> } = {},
): Promise<PmArchive> {
  const a = await buildPmArchive(ws, {
    server: server.admin,
    ...(o.mutate ? { mutate: o.mutate } : {}),
  });
  if (o.entries) await appendRawEntries(a.file, o.entries);
  return a;
}

/** The restore fails with `code`, and nothing outside (nor the target) changed. */
async function expectRefused(
  a: PmArchive,
  code: string,
  exit = 1,
  extraArgs: string[] = [],
): Promise<void> {
  const target = `he${++n}`;
  try {
    const before = await snapshot();
    const r = await runInProcess(["workspace-restore", "--yes", ...extraArgs, a.file, target], {
      env: install.env(),
    });
    expect(r.stderr).toContain(code);
    expect(r.exitCode).toBe(exit);
    expectWorldUnchanged(before, await snapshot());
  } finally {
    await a.cleanup();
  }
}

const files = `${"source"}.files`;

describe("entries that would land outside the workspace are refused, nothing written", () => {
  it.each<[string, RawTarEntry[]]>([
    ["a ../ entry", [{ name: `${files}/../../../outside/dotdot.txt`, type: "0", data: "x" }]],
    ["an absolute entry", [{ name: "/OUTSIDE/absolute.txt", type: "0", data: "x" }]],
    [
      "a hard link to a file outside",
      [{ name: `${files}/hl-out`, type: "1", linkname: "/etc/hostname" }],
    ],
    [
      "a hard link climbing out",
      [{ name: `${files}/hl-up`, type: "1", linkname: `${files}/../../outside/keep.txt` }],
    ],
    ["a character device", [{ name: `${files}/null2`, type: "3" }]],
    ["a block device", [{ name: `${files}/sda9`, type: "4" }]],
    ["a fifo", [{ name: `${files}/pipe`, type: "6" }]],
    [
      "a file written through a link pointing out (tar-slip)",
      [
        { name: `${files}/slip`, type: "2", linkname: "../../../../outside" },
        { name: `${files}/slip/slipped.txt`, type: "0", data: "x" },
      ],
    ],
    [
      "a file through a link into the neighbouring workspace",
      [
        { name: `${files}/nb`, type: "2", linkname: "../neighbour" },
        { name: `${files}/nb/db.php`, type: "0", data: "<?php // replaced" },
      ],
    ],
  ])("%s", async (_what, entries) => {
    // "/OUTSIDE" stands for this run's directory next to the installation.
    const real = entries.map((e) => ({ ...e, name: e.name.replace("/OUTSIDE", outside) }));
    await expectRefused(await archive({ entries: real }), "RESTORE.UNSAFE_ENTRY");
  });
});

describe("names", () => {
  it("a meta whose directories point outside the archive's workspace is refused", async () => {
    const a = await archive({
      mutate: async (tree) => {
        const meta = pmMeta(ws, { server: server.admin });
        meta["directories"] = ["../../outside"];
        await writeFile(path.join(tree, "source.meta"), pmMetaText(meta));
      },
    });
    const target = `he${++n}`;
    try {
      const before = await snapshot();
      const r = await runInProcess(["workspace-restore", "--yes", a.file, target], {
        env: install.env(),
      });
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toMatch(/RESTORE\.(UNSAFE_ENTRY|NO_DB_PHP|BAD_META|NO_METADATA)/);
      expectWorldUnchanged(before, await snapshot());
    } finally {
      await a.cleanup();
    }
  });

  it.each([["../x"], ["a;rm -rf /"], ["$(touch x)"], [""], ["a".repeat(30)]])(
    "NEW-WORKSPACE %j is refused (exit 2)",
    async (bad) => {
      const a = await archive();
      try {
        const before = await snapshot();
        const r = await runInProcess(["workspace-restore", a.file, bad], { env: install.env() });
        expect(r.exitCode).toBe(2);
        expect(r.stderr).toContain("WORKSPACE.BAD_NAME");
        expectWorldUnchanged(before, await snapshot());
      } finally {
        await a.cleanup();
      }
    },
  );

  it("shell escapes in file names are names, never commands", async () => {
    const evil = ["$(touch shell-ran)", "`touch shell-ran`", "x; touch shell-ran", "a'b\"c"];
    const a = await archive({
      mutate: async (tree) => {
        for (const name of evil) await writeFile(path.join(tree, files, name), "x");
        await symlink("db.php", path.join(tree, files, "$(id)"));
      },
    });
    const target = `he${++n}`;
    try {
      const r = await runInProcess(["workspace-restore", "--json", a.file, target], {
        env: install.env(),
        cwd: outside,
      });
      expect(r.exitCode, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { dbUser: string };
      install.track(`wf_${target}`, doc.dbUser);
      await expect(readFile(path.join(outside, "shell-ran"))).rejects.toThrow();
      await expect(readFile(path.join(process.cwd(), "shell-ran"))).rejects.toThrow();
      for (const name of evil)
        expect(await readFile(path.join(sites(), target, name), "utf8")).toBe("x");
    } finally {
      await a.cleanup();
    }
  });
});

describe("a pmadmin backup whose bytes were changed", () => {
  it("is refused on its checksums before anything is written", async () => {
    await writeFile(path.join(ws.siteDir, "files", "tamper-me.txt"), "ORIGINAL-CONTENT-123456\n");
    const dir = await mkdtemp(path.join(privateTmp, "bk-"));
    const file = path.join(dir, "source.tar");
    const b = await runInProcess(["workspace-backup", "source", file], { env: install.env() });
    expect(b.exitCode, b.stderr).toBe(0);
    const tar = await readFile(file);
    const at = tar.indexOf("ORIGINAL-CONTENT-123456");
    expect(at).toBeGreaterThan(0);
    tar.write("TAMPERED", at, "latin1");
    await writeFile(file, tar);
    await expectRefused(
      { file, dir, cleanup: () => rm(dir, { recursive: true, force: true }) },
      "RESTORE.CHECKSUM_MISMATCH",
    );
  });
});
