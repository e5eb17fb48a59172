// The age layer's STREAM at chunk boundaries (empty tail, exactly 64 KiB, one byte over): what it
// writes opens with age-encryption's decrypter and with the stock age CLI, byte for byte.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { Decrypter, generateX25519Identity, identityToRecipient } from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encrypted } from "../../src/archive/age-layer.js";
import { resolveArchive } from "../../src/archive/read/source.js";
import type { ArchiveSink } from "../../src/archive/sink.js";

let dir: string;
let identity: string;
let recipient: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pmadmin-age-layer-"));
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An inner sink that keeps what it is given. */
function memorySink(): ArchiveSink & { bytes(): Buffer } {
  const chunks: Buffer[] = [];
  const input = new PassThrough();
  input.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((r) => input.on("end", () => r()));
  return {
    input,
    writeError: undefined,
    async done() {
      await ended;
      return { files: [], bytes: 0, sha256: "" };
    },
    commit: () => Promise.resolve(),
    discard: () => Promise.resolve(),
    bytes: () => Buffer.concat(chunks),
  };
}

async function encrypt(plain: Buffer): Promise<{ out: Buffer; fileKey: Uint8Array | undefined }> {
  const inner = memorySink();
  let fileKey: Uint8Array | undefined;
  const sink = encrypted(
    inner,
    { kind: "recipients", recipients: [recipient] },
    (k) => (fileKey = k),
  );
  // Written in uneven pieces, as gzip hands them over.
  for (let off = 0; off < plain.length; off += 10_000)
    sink.input.write(plain.subarray(off, off + 10_000));
  sink.input.end();
  await sink.done();
  return { out: inner.bytes(), fileKey };
}

describe("age layer", () => {
  for (const size of [1, 65_535, 65_536, 65_537, 3 * 65_536, 200_000]) {
    it(`${size} bytes: decrypts with age-encryption and the age CLI`, async () => {
      const plain = randomBytes(size);
      const { out, fileKey } = await encrypt(plain);
      expect(out.subarray(0, 22).toString("latin1")).toBe("age-encryption.org/v1\n");
      const d = new Decrypter();
      d.addIdentity(identity);
      expect(Buffer.from(await d.decrypt(out)).equals(plain)).toBe(true);
      // The file key handed to --verify opens it too.
      const k = new Decrypter();
      k.addIdentity({ unwrapFileKey: () => fileKey ?? null });
      expect(Buffer.from(await k.decrypt(out)).equals(plain)).toBe(true);
      const keyFile = path.join(dir, "key.txt");
      await writeFile(keyFile, `${identity}\n`, { mode: 0o600 });
      const viaCli = execFileSync("age", ["-d", "-i", keyFile], { input: out, maxBuffer: 1 << 24 });
      expect(viaCli.equals(plain)).toBe(true);
    });
  }

  it("a passphrase: age-encryption opens it with the passphrase", async () => {
    const inner = memorySink();
    const sink = encrypted(inner, { kind: "passphrase", passphrase: "pw for the test" });
    sink.input.end(Buffer.from("hello"));
    await sink.done();
    const d = new Decrypter();
    d.addPassphrase("pw for the test");
    expect(await d.decrypt(inner.bytes(), "text")).toBe("hello");
  }, 90_000);
});

/** What pmadmin's age source yields for `file` (decrypted with the test identity). */
async function readBack(file: string): Promise<Buffer> {
  const keyFile = path.join(dir, "key.txt");
  await writeFile(keyFile, `${identity}\n`, { mode: 0o600 });
  const src = await resolveArchive(file, {
    sharedDir: dir,
    cwd: dir,
    multiple: false,
    keys: { kind: "identities", identities: [identity], file: keyFile },
  });
  expect(src.encrypted).toBe(true);
  const chunks: Buffer[] = [];
  for await (const c of src.open()) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe("age source (decryption)", () => {
  for (const size of [0, 1, 65_536, 65_537, 2 * 65_536, 150_000]) {
    it(`${size} bytes encrypted by the age CLI read back exactly`, async () => {
      const plain = randomBytes(size);
      const file = path.join(dir, `cli-${size}.age`);
      execFileSync("age", ["-r", recipient, "-o", file], { input: plain });
      expect((await readBack(file)).equals(plain)).toBe(true);
    });
  }

  it("a file cut at a chunk boundary, or with a flipped byte, fails", async () => {
    const plain = randomBytes(3 * 65_536 + 10);
    const file = path.join(dir, "cut.age");
    execFileSync("age", ["-r", recipient, "-o", file], { input: plain });
    const whole = await readFile(file);
    const headerEnd =
      whole.indexOf("\n---") + whole.subarray(whole.indexOf("\n---") + 1).indexOf("\n") + 2;
    // Header + nonce + two full sealed chunks: every byte left authenticates, but not as the end.
    await truncate(file, headerEnd + 16 + 2 * (65_536 + 16));
    await expect(readBack(file)).rejects.toThrow(/age decryption failed/);
    const flipped = Buffer.from(whole);
    flipped[whole.length - 100] = flipped[whole.length - 100]! ^ 1;
    await writeFile(file, flipped);
    await expect(readBack(file)).rejects.toThrow(/fails authentication/);
  });
});
