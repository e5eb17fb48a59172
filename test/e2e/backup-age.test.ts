// age-encrypted backups through the built binary: round trips to a recipient and to a passphrase
// (one file and split parts), interop with the stock `age` CLI both ways, and the key rules (a
// missing key is exit 2 naming the option, a wrong key exit 1 with nothing changed, a key file
// others can read is refused, no secret in any output).
import { execFileSync } from "node:child_process";
import { chmod, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDbPhp } from "../../src/install/db-php.js";
import type { ProvisionedWorkspace } from "../../src/sandbox/provision.js";
import { runBin } from "../helpers/cli.js";
import { uniqueName } from "../helpers/db.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { restoreFootprint, tableChecksums, treeFingerprint } from "../helpers/restore-compare.js";

let install: TestInstall;
let ws: ProvisionedWorkspace;
let dir: string;
let keyFile: string;
let recipient: string;
let secretKey: string;
let otherKeyFile: string;
let passFile: string;
const PASSPHRASE = "correct horse battery staple 7Qx";
let sourceTables: Record<string, string>;
let sourceTree: Record<string, string>;
const notDbPhp = (rel: string): boolean => rel === "db.php";

function keygen(file: string): string {
  execFileSync("age-keygen", ["-o", file], { stdio: "pipe" });
  return execFileSync("age-keygen", ["-y", file]).toString().trim();
}

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 0 });
  ws = await install.addWorkspace({ cases: 8, docBytes: 256 * 1024 });
  dir = path.join(install.root, "out");
  await mkdir(dir);
  keyFile = path.join(dir, "key.txt");
  recipient = keygen(keyFile);
  secretKey = (await readFile(keyFile, "utf8")).split("\n").find((l) => l.startsWith("AGE-"))!;
  otherKeyFile = path.join(dir, "other.txt");
  keygen(otherKeyFile);
  passFile = path.join(dir, "pass.txt");
  await writeFile(passFile, `${PASSPHRASE}\n`, { mode: 0o600 });
  sourceTables = await tableChecksums(ws.database);
  sourceTree = await treeFingerprint(ws.siteDir, notDbPhp);
}, 120_000);
afterAll(async () => {
  await install?.cleanup();
});

const bin = (args: string[]) => runBin(args, { env: install.env(), timeoutMs: 300_000 });

function noSecrets(r: { stdout: string; stderr: string }): void {
  for (const s of [PASSPHRASE, secretKey]) {
    expect(r.stdout).not.toContain(s);
    expect(r.stderr).not.toContain(s);
  }
}

async function restoreAndCompare(file: string, args: string[]): Promise<void> {
  const name = uniqueName("age");
  const r = await bin(["workspace-restore", ...args, file, name]);
  noSecrets(r);
  expect(r.exitCode, r.stderr).toBe(0);
  const db = parseDbPhp(
    await readFile(path.join(install.sharedDir, "sites", name, "db.php"), "utf8"),
  );
  install.track(db.wf.name, db.wf.user);
  expect(await tableChecksums(db.wf.name)).toEqual(sourceTables);
  const tree = await treeFingerprint(path.join(install.sharedDir, "sites", name), notDbPhp);
  expect(tree).toEqual(sourceTree);
}

describe("encrypted backups (age)", () => {
  it("to a recipient: .age appended, readable by `age -d`, restored with --identity", async () => {
    const file = path.join(dir, "rcpt.tar.gz");
    const b = await bin(["workspace-backup", "--encrypt-to", recipient, ws.name, file]);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(b.stdout).toContain(`${file}.age`);
    const head = (await readFile(`${file}.age`)).subarray(0, 22).toString("latin1");
    expect(head).toBe("age-encryption.org/v1\n");
    // The stock age CLI decrypts it, and tar reads what comes out.
    const listing = execFileSync("sh", ["-c", `age -d -i "${keyFile}" "${file}.age" | tar tz`])
      .toString()
      .split("\n");
    expect(listing).toContain(`${ws.name}.meta`);
    expect(listing).toContain("pmadmin-manifest.json");
    await restoreAndCompare(`${file}.age`, ["--identity", keyFile]);
  });

  it("to a passphrase, split into parts (-s): the age stream is split, restored with -m", async () => {
    const file = path.join(dir, "pass.tar");
    const b = await bin([
      "workspace-backup",
      "-s",
      "1",
      "--passphrase-file",
      passFile,
      ws.name,
      file,
    ]);
    noSecrets(b);
    expect(b.exitCode, b.stderr).toBe(0);
    const parts = (await readdir(dir)).filter((n) => n.startsWith("pass.tar.age.")).sort();
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const first = await readFile(path.join(dir, parts[0]!));
    expect(first.subarray(0, 22).toString("latin1")).toBe("age-encryption.org/v1\n");
    expect(first.includes(Buffer.from("-> scrypt "))).toBe(true);
    await restoreAndCompare(`${file}.age`, ["-m", "--passphrase-file", passFile]);
  });

  it("restores what the age CLI encrypted (found by its header, whatever the name)", async () => {
    const plain = path.join(dir, "plain.tar.gz");
    const b = await bin(["workspace-backup", ws.name, plain]);
    expect(b.exitCode, b.stderr).toBe(0);
    const enc = path.join(dir, "from-age-cli.bin");
    execFileSync("age", ["-r", recipient, "-o", enc, plain]);
    await restoreAndCompare(enc, ["--identity", keyFile]);
    // -i describes it too.
    const i = await bin(["workspace-restore", "-i", "--identity", keyFile, enc]);
    expect(i.exitCode, i.stderr).toBe(0);
    expect(i.stdout).toContain(ws.name);
  });

  it("without a key: exit 2 naming --identity; with a wrong key: exit 1, nothing changed", async () => {
    const file = path.join(dir, "rcpt.tar.gz.age");
    const name = uniqueName("age");
    const before = await restoreFootprint(path.join(install.sharedDir, "sites"), [name]);
    const none = await bin(["workspace-restore", file, name]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain("AGE.KEY_REQUIRED");
    expect(none.stderr).toContain("--identity");
    const wrong = await bin(["workspace-restore", "--identity", otherKeyFile, file, name]);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toContain("AGE.WRONG_KEY");
    const wrongPass = path.join(dir, "wrong-pass.txt");
    await writeFile(wrongPass, "not it\n", { mode: 0o600 });
    const wp = await bin([
      "workspace-restore",
      "-m",
      "--passphrase-file",
      wrongPass,
      path.join(dir, "pass.tar.age"),
      name,
    ]);
    expect(wp.exitCode, wp.stderr).toBe(1);
    expect(wp.stderr).toContain("AGE.WRONG_KEY");
    expect(await restoreFootprint(path.join(install.sharedDir, "sites"), [name])).toEqual(before);
  });

  it("refuses key and passphrase files others can read (chmod 600), before anything", async () => {
    const loose = path.join(dir, "loose.txt");
    await writeFile(loose, await readFile(keyFile));
    await chmod(loose, 0o644);
    const r = await bin([
      "workspace-restore",
      "--identity",
      loose,
      path.join(dir, "rcpt.tar.gz.age"),
      uniqueName("age"),
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("AGE.KEY_FILE_MODE");
    expect(r.stderr).toContain(`chmod 600 ${loose}`);
    noSecrets(r);
    const loosePass = path.join(dir, "loose-pass.txt");
    await writeFile(loosePass, `${PASSPHRASE}\n`);
    await chmod(loosePass, 0o640);
    const target = path.join(dir, "never.tar.gz");
    const b = await bin(["workspace-backup", "--passphrase-file", loosePass, ws.name, target]);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toContain("chmod 600");
    noSecrets(b);
    expect((await readdir(dir)).filter((n) => n.startsWith("never"))).toEqual([]);
  });

  it("a bad recipient and a .age name without a key are usage errors", async () => {
    const r = await bin([
      "workspace-backup",
      "--encrypt-to",
      "age1nope",
      ws.name,
      path.join(dir, "x.tar.gz"),
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("AGE.BAD_RECIPIENT");
    const n = await bin(["workspace-backup", ws.name, path.join(dir, "x.tar.gz.age")]);
    expect(n.exitCode).toBe(2);
    expect(n.stderr).toContain("--encrypt-to");
  });
});
