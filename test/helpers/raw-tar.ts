// Tar entries written by hand, for hostile archives no tar program would make from a real tree:
// a name that is first a link and then a directory, `./` and `//` spellings, links through links.
import { readFile, writeFile } from "node:fs/promises";
import { Header } from "tar";

export interface RawTarEntry {
  path: string;
  type?: "File" | "Directory" | "SymbolicLink" | "Link";
  linkpath?: string;
  data?: string | Buffer;
  mode?: number;
  /** A file's size when its data is not given here: only the header is made (data streamed by the caller). */
  size?: number;
}

const BLOCK = 512;

/** One entry: its header block and its data padded to whole blocks. */
export function tarEntry(e: RawTarEntry): Buffer {
  const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
  const type = e.type ?? "File";
  const h = new Header({
    path: e.path,
    type,
    mode: e.mode ?? (type === "Directory" ? 0o755 : 0o644),
    size: type === "File" ? (e.size ?? data.length) : 0,
    mtime: new Date("2026-01-02T03:04:05Z"),
    uid: 0,
    gid: 0,
    uname: "root",
    gname: "root",
    ...(e.linkpath === undefined ? {} : { linkpath: e.linkpath }),
  });
  const block = Buffer.alloc(BLOCK);
  if (h.encode(block, 0)) throw new Error(`${e.path}: needs a pax header, keep test names short`);
  const padded = Buffer.alloc(Math.ceil(data.length / BLOCK) * BLOCK);
  data.copy(padded);
  return Buffer.concat([block, type === "File" ? padded : Buffer.alloc(0)]);
}

/** The offset of the end-of-archive blocks of an uncompressed tar (header sizes walked). */
export function endOfEntries(tar: Buffer): number {
  let off = 0;
  while (off + BLOCK <= tar.length) {
    const block = tar.subarray(off, off + BLOCK);
    if (block.every((b) => b === 0)) return off;
    const size = new Header(block).size ?? 0;
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new Error("no end-of-archive blocks");
}

/** Appends entries to a plain tar file, after its last entry, then ends it as GNU tar does. */
export async function appendTarEntries(
  file: string,
  entries: readonly RawTarEntry[],
): Promise<void> {
  const tar = await readFile(file);
  const body = Buffer.concat([tar.subarray(0, endOfEntries(tar)), ...entries.map(tarEntry)]);
  const record = 10240;
  const end = Math.ceil((body.length + 2 * BLOCK) / record) * record;
  await writeFile(file, Buffer.concat([body, Buffer.alloc(end - body.length)]));
}
