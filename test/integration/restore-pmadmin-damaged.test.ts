// A damaged pmadmin archive is refused before anything changes: one entry's bytes altered (same
// size, so only the manifest's SHA-256 can tell) names the entry; an archive cut short exits 1.
import { copyFile, mkdir, readFile, stat, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPECIAL_ENTRIES } from "../../src/sandbox/layout.js";
import { runInProcess } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { restoreFootprint } from "../helpers/restore-compare.js";

let install: TestInstall;
let tarFile: string;
let dir: string;

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 1, cases: 3 });
  dir = path.join(install.root, "out");
  await mkdir(dir);
  tarFile = path.join(dir, "good.tar");
  const r = await runInProcess(["workspace-backup", install.workspaces[0]!.name, tarFile], {
    env: install.env(),
  });
  expect(r.exitCode, r.stderr).toBe(0);
});
afterAll(async () => {
  await install?.cleanup();
});

async function expectFails(args: string[], code: string): Promise<string> {
  const ws = install.workspaces[0]!;
  const snapshot = () =>
    restoreFootprint(path.join(install.sharedDir, "sites"), [ws.name, args.at(-1) ?? ""]);
  const before = await snapshot();
  const r = await runInProcess(["workspace-restore", ...args], { env: install.env() });
  expect(r.stderr).toContain(code);
  expect(r.exitCode).toBe(1);
  expect(await snapshot()).toEqual(before);
  return r.stderr;
}

/** Where ProcessMaker's tar stores a unique byte string (entry content, never a header). */
function offsetOf(buf: Buffer, needle: string): number {
  const at = buf.indexOf(needle);
  expect(at).toBeGreaterThan(0);
  expect(buf.indexOf(needle, at + 1)).toBe(-1);
  return at;
}

describe("workspace-restore of a damaged pmadmin archive", () => {
  it("the intact archive verifies (-i)", async () => {
    const r = await runInProcess(["workspace-restore", "-i", "--json", tarFile], {
      env: install.env(),
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ checksums: "verified" });
  });

  it("one entry altered in place (same size) → exit 1 naming the entry, nothing changed", async () => {
    const buf = await readFile(tarFile);
    const at = offsetOf(buf, "% bank transfer confirmation");
    buf.write("% BANK", at, "latin1");
    const bad = path.join(dir, "altered.tar");
    await writeFile(bad, buf);
    expect((await stat(bad)).size).toBe((await stat(tarFile)).size);
    const stderr = await expectFails([bad, "altered"], "RESTORE.CHECKSUM_MISMATCH");
    expect(stderr).toContain(
      `${install.workspaces[0]!.name}.files/${SPECIAL_ENTRIES.nonAsciiFile}`,
    );
    // -i reports the same, changing nothing either.
    await expectFails(["-i", bad], "RESTORE.CHECKSUM_MISMATCH");
  });

  it("an altered dump is caught the same way", async () => {
    const buf = await readFile(tarFile);
    const at = offsetOf(buf, "CREATE TABLE `APPLICATION`");
    buf.write("create", at, "latin1");
    const bad = path.join(dir, "altered-sql.tar");
    await writeFile(bad, buf);
    const stderr = await expectFails([bad, "alteredsql"], "RESTORE.CHECKSUM_MISMATCH");
    expect(stderr).toContain(`${install.workspaces[0]!.database}.sql`);
  });

  it("cut in the middle → exit 1 (RESTORE.CORRUPT)", async () => {
    const cut = path.join(dir, "cut.tar");
    await copyFile(tarFile, cut);
    await truncate(cut, Math.floor((await stat(cut)).size / 2) + 7);
    await expectFails([cut, "cut"], "RESTORE.CORRUPT");
  });

  it("cut just before the manifest (an entry boundary) → exit 1", async () => {
    // The manifest is written last: cutting at its header leaves a well-formed but shorter tar.
    const buf = await readFile(tarFile);
    const header = buf.indexOf("pmadmin-manifest.json\0");
    expect(header % 512).toBe(0);
    const cut = path.join(dir, "cut-boundary.tar");
    await writeFile(cut, buf.subarray(0, header));
    await expectFails([cut, "cutb"], "RESTORE.CORRUPT");
  });

  it("a gzip archive cut short → exit 1", async () => {
    const gz = path.join(dir, "good.tar.gz");
    const b = await runInProcess(["workspace-backup", install.workspaces[0]!.name, gz], {
      env: install.env(),
    });
    expect(b.exitCode, b.stderr).toBe(0);
    await truncate(gz, (await stat(gz)).size - 100);
    await expectFails([gz, "cutgz"], "RESTORE.CORRUPT");
  });
});
