// TarEndGuard follows tar's block structure (pax and GNU long-name entries included) to find the
// end-of-archive blocks, passes everything up to them, and refuses non-zero data after them.
import { randomBytes } from "node:crypto";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gunzipChecked, TarEndGuard } from "../../src/archive/read/tar-stream.js";
import { endOfEntries } from "../helpers/raw-tar.js";

let dir: string;
const archives: Record<string, Buffer> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tar-stream-"));
  const long = path.join("t", "d".repeat(120), "e".repeat(120));
  await mkdir(path.join(dir, long), { recursive: true });
  await writeFile(path.join(dir, long, "f".repeat(110)), "x".repeat(3000));
  await writeFile(path.join(dir, "t", "zeros"), Buffer.alloc(4096));
  for (const format of ["gnu", "pax", "ustar"]) {
    const r = await execa("tar", ["-cf", "-", `--format=${format}`, "t"], {
      cwd: dir,
      encoding: "buffer",
      reject: false,
    });
    // ustar cannot hold the long names: GNU tar skips them with an error but writes the rest.
    archives[format] = Buffer.from(r.stdout);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function through(input: Buffer, chunk = 700): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunk) parts.push(input.subarray(i, i + chunk));
  const out: Buffer[] = [];
  for await (const c of Readable.from(parts).pipe(new TarEndGuard())) out.push(c as Buffer);
  return Buffer.concat(out);
}

/** Offset just past the two end-of-archive blocks (headers walked by the test's own helper). */
const endOf = (tar: Buffer): number => endOfEntries(tar) + 1024;

describe("TarEndGuard", () => {
  for (const format of ["gnu", "pax", "ustar"]) {
    it(`passes a ${format} archive up to its end-of-archive blocks, drops the zero padding`, async () => {
      const tar = archives[format]!;
      const end = endOf(tar);
      expect(end).toBeLessThan(tar.length);
      for (const chunk of [1, 511, 512, 700, 1 << 16])
        expect((await through(tar, chunk)).equals(tar.subarray(0, end))).toBe(true);
    });

    it(`refuses data after the end of a ${format} archive`, async () => {
      const tar = archives[format]!;
      const end = endOf(tar);
      const bad = Buffer.from(tar);
      bad[end + 100] = 0x41;
      await expect(through(bad)).rejects.toThrow(/end-of-archive/);
      await expect(through(Buffer.concat([tar, Buffer.from("junk")]))).rejects.toThrow(
        /end-of-archive/,
      );
    });
  }

  it("refuses an archive compressed twice", async () => {
    const noisy = Buffer.concat([archives["gnu"]!, randomBytes(4096)]);
    await expect(through(gzipSync(noisy))).rejects.toThrow(/compressed twice/);
  });
});

describe("gunzipChecked", () => {
  async function gunzip(input: Buffer): Promise<Buffer> {
    const out: Buffer[] = [];
    for await (const c of gunzipChecked(Readable.from([input]))) out.push(c as Buffer);
    return Buffer.concat(out);
  }
  const data = Buffer.from("some tar bytes\n".repeat(1000));

  it("accepts zero padding after the gzip stream, and concatenated members", async () => {
    expect((await gunzip(Buffer.concat([gzipSync(data), Buffer.alloc(4096)]))).equals(data)).toBe(
      true,
    );
    const two = Buffer.concat([gzipSync(data), gzipSync(data)]);
    expect((await gunzip(two)).length).toBe(2 * data.length);
  });

  it("refuses data after the gzip stream, zero padding first or not, and a truncated one", async () => {
    const gz = gzipSync(data);
    await expect(gunzip(Buffer.concat([gz, Buffer.alloc(100), Buffer.from("x")]))).rejects.toThrow(
      /follows the end of its gzip stream/,
    );
    await expect(gunzip(Buffer.concat([gz, Buffer.from("junk")]))).rejects.toThrow(/gzip/);
    await expect(gunzip(gz.subarray(0, gz.length - 8))).rejects.toThrow(/gzip/);
  });
});

// The fixture archives are real: make sure the long names made it in.
it("the gnu and pax fixtures hold entries with long names", async () => {
  const f = path.join(dir, "gnu.tar");
  await writeFile(f, archives["gnu"]!);
  expect((await execa("tar", ["-tf", f])).stdout).toContain("f".repeat(110));
  expect((await readFile(f)).length).toBeGreaterThan(10240);
});
