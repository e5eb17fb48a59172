// pmadmin round trip, through the built binary like a user: workspace-backup (.tar, .tar.gz, split
// -s 1 parts) then workspace-restore under a new name (-m for the parts) gives identical CHECKSUM
// TABLE results for every table and an identical file tree; the new db.php credentials connect, the
// restored triggers work as the new user, and check-integrity finds the new workspace clean.
import { mkdir, readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDbPhp } from "../../src/install/db-php.js";
import type { ProvisionedWorkspace } from "../../src/sandbox/provision.js";
import { SPECIAL_ENTRIES } from "../../src/sandbox/layout.js";
import { runBin } from "../helpers/cli.js";
import { uniqueName } from "../helpers/db.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import {
  tableChecksums,
  treeFingerprint,
  expectTriggersWorkAs,
} from "../helpers/restore-compare.js";

let install: TestInstall;
let ws: ProvisionedWorkspace;
let outDir: string;
let sourceTables: Record<string, string>;
let sourceTree: Record<string, string>;
const notDbPhp = (rel: string): boolean => rel === "db.php";

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 0 });
  // Random-filled documents do not compress: 8 cases of 256 KiB documents give a few MB of gzip.
  ws = await install.addWorkspace({ cases: 8, docBytes: 256 * 1024 });
  outDir = path.join(install.root, "out");
  await mkdir(outDir);
  sourceTables = await tableChecksums(ws.database);
  sourceTree = await treeFingerprint(ws.siteDir, notDbPhp);
});
afterAll(async () => {
  await install?.cleanup();
});

const bin = (args: string[]) => runBin(args, { env: install.env(), timeoutMs: 300_000 });

async function restoredDbPhp(name: string) {
  const db = parseDbPhp(
    await readFile(path.join(install.sharedDir, "sites", name, "db.php"), "utf8"),
  );
  install.track(db.wf.name, db.wf.user);
  return db;
}

/** db.php apart from its DB_* lines is the source's, byte for byte. */
async function dbPhpOtherLines(dir: string): Promise<string[]> {
  return (await readFile(path.join(dir, "db.php"), "utf8"))
    .split("\n")
    .filter((l) => !/'DB_/.test(l));
}

async function expectIdentical(name: string): Promise<void> {
  const db = await restoredDbPhp(name);
  expect(db.wf.name).toBe(`wf_${name}`);
  expect(db.wf.user).not.toBe(ws.dbUser);
  expect(db.wf.password).not.toBe(ws.dbPassword);

  const tables = await tableChecksums(db.wf.name);
  expect(Object.keys(tables).length).toBeGreaterThan(10);
  expect(tables).toEqual(sourceTables);

  const siteDir = path.join(install.sharedDir, "sites", name);
  const tree = await treeFingerprint(siteDir, notDbPhp);
  expect(tree).toEqual(sourceTree);
  expect(tree[SPECIAL_ENTRIES.secretFile]).toMatch(/^file 600 /);
  expect(tree[SPECIAL_ENTRIES.nonAsciiFile]).toMatch(/^file /);
  expect(tree[SPECIAL_ENTRIES.emptyDir]).toMatch(/^dir /);
  expect(tree[SPECIAL_ENTRIES.symlink]).toBe(`link ${SPECIAL_ENTRIES.symlinkTarget}`);
  expect(await dbPhpOtherLines(siteDir)).toEqual(await dbPhpOtherLines(ws.siteDir));

  // Before the trigger check below changes data: the restored workspace is as clean as its source.
  const c = await bin(["check-integrity", name]);
  expect(c.exitCode, `${c.stdout}\n${c.stderr}`).toBe(0);

  // The new credentials connect; the triggers (definer rewritten) fire for the new user.
  await expectTriggersWorkAs(db.wf);
}

async function roundTrip(
  file: string,
  backupArgs: string[],
  restoreArgs: string[],
): Promise<string> {
  const b = await bin(["workspace-backup", ...backupArgs, ws.name, file]);
  expect(b.exitCode, b.stderr).toBe(0);
  const name = uniqueName("rt");
  const r = await bin(["--json", "workspace-restore", ...restoreArgs, file, name]);
  expect(r.stderr, r.stdout).toBe("");
  expect(r.exitCode).toBe(0);
  const doc = JSON.parse(r.stdout) as {
    workspace: string;
    source: string;
    databases: Array<{ target: string }>;
  };
  expect(doc).toMatchObject({
    ok: true,
    workspace: name,
    source: ws.name,
    databases: [{ target: `wf_${name}` }],
  });
  expect(r.stdout).not.toContain(ws.dbPassword);
  await expectIdentical(name);
  return name;
}

describe("pmadmin workspace-backup → workspace-restore under a new name", () => {
  it(".tar", async () => {
    await roundTrip(path.join(outDir, "rt.tar"), [], []);
  });

  it(".tar.gz", async () => {
    await roundTrip(path.join(outDir, "rt.tar.gz"), [], []);
  });

  it("split -s 1 parts restored with -m", async () => {
    const file = path.join(outDir, "split.tar");
    await roundTrip(file, ["-s", "1"], ["-m"]);
    const parts = (await readdir(outDir)).filter((n) => n.startsWith("split.tar."));
    expect(parts.length).toBeGreaterThanOrEqual(2);
    // Without -m the error points at the parts.
    const r = await bin(["workspace-restore", file, uniqueName("rt")]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("-m");
  });

  it("the source workspace is untouched", async () => {
    expect(await tableChecksums(ws.database)).toEqual(sourceTables);
    expect(await treeFingerprint(ws.siteDir, notDbPhp)).toEqual(sourceTree);
  });
});
