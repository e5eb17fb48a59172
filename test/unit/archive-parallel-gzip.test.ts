import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { gunzipSync } from "node:zlib";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { ParallelGzip } from "../../src/archive/parallel-gzip.js";

describe("ParallelGzip", () => {
  it("writes gzip members that gunzip (node and gzip -d) back to the input, in order", async () => {
    // 10 MiB in uneven chunks: three 4 MiB blocks, the last one short.
    const input = Buffer.concat([
      randomBytes(3 << 20),
      Buffer.alloc(4 << 20, 0x61),
      randomBytes(3 << 20),
    ]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < input.length; i += 300_007) chunks.push(input.subarray(i, i + 300_007));
    const out = await buffer(Readable.from(chunks).pipe(new ParallelGzip(6)));
    expect(out.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gunzipSync(out).equals(input)).toBe(true);
    const r = await execa("gzip", ["-dc"], { input: out, encoding: "buffer" });
    expect(Buffer.from(r.stdout).equals(input)).toBe(true);
  });

  it("writes a valid empty gzip for empty input", async () => {
    const out = await buffer(Readable.from([]).pipe(new ParallelGzip(6)));
    expect(gunzipSync(out).length).toBe(0);
  });
});
