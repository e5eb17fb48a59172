// `backups verify`: a sound archive (plain, gzip, encrypted, split) is sound; a flipped byte in a
// document, a truncated dump, a truncated gzip and a damaged encrypted archive are each reported
// with exit 1 naming the first bad entry; usage errors are exit 2.
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPECIAL_ENTRIES } from "../../src/sandbox/layout.js";
import { runInProcess } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

let install: TestInstall;
let dir: string;
let tarFile: string;
let gzFile: string;
let wsName: string;
let dbName: string;
let keyFile: string;

const run = (args: string[]) => runInProcess(args, { env: install.env() });

interface Doc {
  ok: boolean;
  manifest: string;
  problem?: { code: string; entry?: string; message: string };
  workspaces: Array<{ name: string; verdict: string; databases: Array<{ complete: boolean }> }>;
}

async function verify(args: string[], exit: number): Promise<Doc> {
  const r = await run(["--json", "backups", "verify", ...args]);
  expect(r.exitCode, r.stderr + r.stdout).toBe(exit);
  return JSON.parse(r.stdout) as Doc;
}

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 1, cases: 3 });
  wsName = install.workspaces[0]!.name;
  dbName = install.workspaces[0]!.database;
  dir = path.join(install.root, "out");
  await mkdir(dir);
  tarFile = path.join(dir, "good.tar");
  gzFile = path.join(dir, "good.tar.gz");
  keyFile = path.join(dir, "key.txt");
  execFileSync("age-keygen", ["-o", keyFile], { stdio: "pipe" });
  for (const f of [tarFile, gzFile]) {
    const r = await run(["workspace-backup", wsName, f]);
    expect(r.exitCode, r.stderr).toBe(0);
  }
}, 120_000);
afterAll(async () => {
  await install?.cleanup();
});

describe("backups verify", () => {
  it("a sound archive: exit 0, every workspace sound, the manifest verified", async () => {
    for (const f of [tarFile, gzFile]) {
      const d = await verify([f], 0);
      expect(d).toMatchObject({ ok: true, manifest: "verified" });
      expect(d.workspaces).toEqual([
        expect.objectContaining({
          name: wsName,
          verdict: "sound",
          databases: [expect.objectContaining({ complete: true })],
        }),
      ]);
    }
    const text = await run(["backups", "verify", gzFile]);
    expect(text.stdout).toContain(`${wsName}: sound`);
    expect(text.stdout).toContain("Sound.");
  });

  it("a flipped byte in a document: exit 1 naming that document", async () => {
    const buf = await readFile(tarFile);
    const at = buf.indexOf("% bank transfer confirmation");
    expect(at).toBeGreaterThan(0);
    buf[at + 3] = buf[at + 3]! ^ 0x01;
    const bad = path.join(dir, "flipped.tar");
    await writeFile(bad, buf);
    const d = await verify([bad], 1);
    expect(d.problem).toMatchObject({
      code: "RESTORE.CHECKSUM_MISMATCH",
      entry: `${wsName}.files/${SPECIAL_ENTRIES.nonAsciiFile}`,
    });
    expect(d.workspaces[0]).toMatchObject({ name: wsName, verdict: "damaged" });
    const text = await run(["backups", "verify", bad]);
    expect(text.stdout).toContain(
      `first bad entry ${wsName}.files/${SPECIAL_ENTRIES.nonAsciiFile}`,
    );
  });

  it("a truncated dump (a ProcessMaker-style archive without manifest): exit 1 naming the dump", async () => {
    const x = path.join(dir, "x");
    await rm(x, { recursive: true, force: true });
    await mkdir(x);
    execFileSync("tar", ["xf", tarFile, "-C", x]);
    const sql = path.join(x, `${dbName}.sql`);
    await truncate(sql, Math.floor((await stat(sql)).size / 2));
    await rm(path.join(x, "pmadmin-manifest.json"));
    const bad = path.join(dir, "cutdump.tar");
    execFileSync("tar", ["cf", bad, "-C", x, `${wsName}.meta`, `${dbName}.sql`, `${wsName}.files`]);
    const d = await verify([bad], 1);
    expect(d.manifest).toBe("absent");
    expect(d.problem).toMatchObject({ code: "VERIFY.DUMP_INCOMPLETE", entry: `${dbName}.sql` });
    expect(d.workspaces[0]).toMatchObject({
      verdict: "damaged",
      databases: [expect.objectContaining({ complete: false })],
    });
    // The same archive with its dump whole is sound (the check is the dump's end, not the manifest).
    execFileSync("tar", ["xf", tarFile, "-C", x, `${dbName}.sql`]);
    const whole = path.join(dir, "pmstyle.tar");
    execFileSync("tar", [
      "cf",
      whole,
      "-C",
      x,
      `${wsName}.meta`,
      `${dbName}.sql`,
      `${wsName}.files`,
    ]);
    expect(await verify([whole], 0)).toMatchObject({ ok: true, manifest: "absent" });
  });

  it("a truncated gzip: exit 1 (RESTORE.CORRUPT) naming the entry it broke in", async () => {
    const cut = path.join(dir, "cut.tar.gz");
    await copyFile(gzFile, cut);
    await truncate(cut, Math.floor((await stat(cut)).size * 0.6));
    const d = await verify([cut], 1);
    expect(d.problem?.code).toBe("RESTORE.CORRUPT");
    expect(d.problem?.entry).toMatch(
      new RegExp(`^(${wsName}\\.files/|${dbName}\\.sql|${wsName}\\.meta)`),
    );
    expect(d.problem?.message).toContain(d.problem!.entry!);
    expect(d.workspaces).toEqual([expect.objectContaining({ name: wsName, verdict: "damaged" })]);
  });

  it("encrypted: sound with the key, exit 2 without, a flipped byte exits 1", async () => {
    const recipient = execFileSync("age-keygen", ["-y", keyFile]).toString().trim();
    const enc = path.join(dir, "enc.tar.gz");
    const b = await run(["workspace-backup", "--encrypt-to", recipient, wsName, enc]);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(await verify(["--identity", keyFile, `${enc}.age`], 0)).toMatchObject({
      ok: true,
      encrypted: true,
    });
    const none = await run(["backups", "verify", `${enc}.age`]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain("--identity");
    const buf = await readFile(`${enc}.age`);
    buf[Math.floor(buf.length / 2)] = buf[Math.floor(buf.length / 2)]! ^ 0x40;
    const bad = path.join(dir, "enc-flipped.age");
    await writeFile(bad, buf);
    const d = await verify(["--identity", keyFile, bad], 1);
    // age authenticates every 64 KiB chunk: the damage is caught where it is, before any of it
    // reaches the tar reader.
    expect(d.problem?.code).toBe("RESTORE.CORRUPT");
    expect(d.problem?.message).toContain("age decryption failed");
  });

  it("workspace-backup --verify reads back what it wrote (encrypted, split) without the identity", async () => {
    const recipient = execFileSync("age-keygen", ["-y", keyFile]).toString().trim();
    for (const args of [["--encrypt-to", recipient], ["-s", "1", "--encrypt-to", recipient], []]) {
      const f = path.join(dir, `v${args.length}.tar.gz`);
      const r = await run(["--json", "workspace-backup", "--verify", ...args, wsName, f]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, verified: true });
    }
  });

  it("usage: a missing file is exit 2", async () => {
    const r = await run(["backups", "verify", path.join(dir, "nope.tar")]);
    expect(r.exitCode).toBe(2);
  });
});
