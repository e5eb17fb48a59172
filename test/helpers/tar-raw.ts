// Raw tar entries for hostile-archive tests: names, types and link targets no well-behaved tar
// writer produces (absolute paths, `..`, hard links out, devices, fifos). Appended to an archive
// GNU tar wrote, in place of its end-of-archive blocks.
import { readFile, writeFile } from "node:fs/promises";

export interface RawTarEntry {
  name: string;
  /** '0' file, '1' hard link, '2' symlink, '3' char device, '4' block device, '5' dir, '6' fifo */
  type: "0" | "1" | "2" | "3" | "4" | "5" | "6";
  linkname?: string;
  data?: Buffer | string;
  mode?: number;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

export function rawHeader(e: RawTarEntry): Buffer {
  const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
  const h = Buffer.alloc(512);
  h.write(e.name, 0, 100, "utf8");
  h.write(octal(e.mode ?? (e.type === "5" ? 0o755 : 0o644), 8), 100, "latin1");
  h.write(octal(0, 8), 108, "latin1");
  h.write(octal(0, 8), 116, "latin1");
  h.write(octal(e.type === "0" ? data.length : 0, 12), 124, "latin1");
  h.write(octal(1_700_000_000, 12), 136, "latin1");
  h.write("        ", 148, "latin1");
  h.write(e.type, 156, "latin1");
  h.write(e.linkname ?? "", 157, 100, "utf8");
  h.write("ustar\0", 257, "latin1");
  h.write("00", 263, "latin1");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  const pad = data.length % 512 === 0 ? 0 : 512 - (data.length % 512);
  return Buffer.concat([
    h,
    e.type === "0" ? data : Buffer.alloc(0),
    Buffer.alloc(e.type === "0" ? pad : 0),
  ]);
}

/** The offset where an uncompressed tar's end-of-archive blocks start. */
function endOffset(tar: Buffer): number {
  let off = 0;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) return off;
    const size = parseInt(
      h.subarray(124, 136).toString("latin1").replace(/\0.*$/, "").trim() || "0",
      8,
    );
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return off;
}

/** Appends entries to an uncompressed tar file (written again with new end blocks). */
export async function appendRawEntries(
  file: string,
  entries: readonly RawTarEntry[],
): Promise<void> {
  const tar = await readFile(file);
  const end = endOffset(tar);
  await writeFile(
    file,
    Buffer.concat([tar.subarray(0, end), ...entries.map(rawHeader), Buffer.alloc(1024)]),
  );
}
