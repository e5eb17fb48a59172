// Tar headers that every reader we care about understands: PEAR Archive_Tar (ProcessMaker's own
// restore), GNU tar and node-tar. POSIX ustar ("ustar\0" "00") with long names split into the
// prefix field; only a name that cannot be split falls back to a GNU "././@LongLink" ('L') entry,
// which all three also read. PAX headers are never written: Archive_Tar would extract them as files.
//
// Archive_Tar reads only the first 131 bytes of the 155-byte prefix field, so we never use more.

export type TarEntryType = "file" | "directory" | "symlink";

export interface TarHeaderFields {
  /** Entry path inside the archive, '/' separated, no leading '/', no trailing '/' for directories. */
  name: string;
  type: TarEntryType;
  /** Permission bits (st_mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Content size in bytes; 0 for directories and links. */
  size: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
  /** Symbolic link target. */
  linkname?: string;
}

export const BLOCK = 512;
const NAME_MAX = 100;
/** Archive_Tar's unpack format reads "Z131prefix"; GNU tar reads 155. Stay within both. */
const PREFIX_MAX = 131;
const TYPEFLAG: Record<TarEntryType, string> = { file: "0", directory: "5", symlink: "2" };

/** Splits a UTF-8 name into ustar prefix + name, or undefined when no '/' allows a fit. */
export function splitUstarName(name: string): { prefix: string; name: string } | undefined {
  const bytes = Buffer.from(name, "utf8");
  if (bytes.length <= NAME_MAX) return { prefix: "", name };
  // Try every '/' from the right so the prefix gets as much as possible.
  for (let i = bytes.length - 1; i > 0; i--) {
    if (bytes[i] !== 0x2f) continue;
    const prefixLen = i;
    const nameLen = bytes.length - i - 1;
    if (prefixLen <= PREFIX_MAX && nameLen <= NAME_MAX && nameLen > 0) {
      return {
        prefix: bytes.subarray(0, i).toString("utf8"),
        name: bytes.subarray(i + 1).toString("utf8"),
      };
    }
    if (nameLen > NAME_MAX) break;
  }
  return undefined;
}

function writeString(buf: Buffer, offset: number, length: number, value: string): void {
  const b = Buffer.from(value, "utf8");
  b.copy(buf, offset, 0, Math.min(length, b.length));
}

/** Octal with a trailing NUL, or GNU base-256 when the value does not fit (huge files, uids). */
function writeNumber(buf: Buffer, offset: number, length: number, value: number): void {
  const octal = Math.floor(value).toString(8);
  if (octal.length <= length - 1 && value >= 0) {
    writeString(buf, offset, length - 1, octal.padStart(length - 1, "0"));
    buf[offset + length - 1] = 0;
    return;
  }
  let v = BigInt(Math.floor(value));
  for (let i = offset + length - 1; i > offset; i--) {
    buf[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  buf[offset] = 0x80;
}

function rawHeader(
  f: TarHeaderFields,
  name: string,
  prefix: string,
  typeflag: string,
  size: number,
  linkname: string,
): Buffer {
  const h = Buffer.alloc(BLOCK);
  writeString(h, 0, 100, name);
  writeNumber(h, 100, 8, f.mode & 0o7777);
  writeNumber(h, 108, 8, f.uid);
  writeNumber(h, 116, 8, f.gid);
  writeNumber(h, 124, 12, size);
  writeNumber(h, 136, 12, f.mtime);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  writeString(h, 156, 1, typeflag);
  writeString(h, 157, 100, linkname);
  writeString(h, 257, 6, "ustar\0");
  writeString(h, 263, 2, "00");
  writeString(h, 345, PREFIX_MAX, prefix);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i] ?? 0;
  writeString(h, 148, 6, sum.toString(8).padStart(6, "0"));
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

/** Zero bytes that pad `size` up to a whole block. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

/** A GNU long-name ('L') or long-link ('K') pseudo-entry carrying `value` NUL-terminated. */
function longEntry(f: TarHeaderFields, kind: "L" | "K", value: string): Buffer {
  const data = Buffer.concat([Buffer.from(value, "utf8"), Buffer.alloc(1)]);
  const header = rawHeader(
    { ...f, mode: 0o644, uid: 0, gid: 0, mtime: 0 },
    "././@LongLink",
    "",
    kind,
    data.length,
    "",
  );
  return Buffer.concat([header, data, padding(data.length)]);
}

/** The header block(s) for one entry: optional GNU long-name/long-link entries, then the header. */
export function encodeHeader(f: TarHeaderFields): Buffer {
  const parts: Buffer[] = [];
  const size = f.type === "file" ? f.size : 0;
  let linkname = f.linkname ?? "";
  if (Buffer.byteLength(linkname, "utf8") > NAME_MAX) {
    parts.push(longEntry(f, "K", linkname));
    linkname = Buffer.from(linkname, "utf8").subarray(0, NAME_MAX).toString("utf8");
  }
  const split = splitUstarName(f.name);
  let name: string;
  let prefix: string;
  if (split) {
    ({ name, prefix } = split);
  } else {
    parts.push(longEntry(f, "L", f.name));
    name = Buffer.from(f.name, "utf8")
      .subarray(0, NAME_MAX)
      .toString("utf8")
      .replace(/\uFFFD+$/, "");
    prefix = "";
  }
  parts.push(rawHeader(f, name, prefix, TYPEFLAG[f.type], size, linkname));
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

/** The end-of-archive marker: two zero blocks (not padded to a 10 KiB record, like Archive_Tar). */
export function endOfArchive(): Buffer {
  return Buffer.alloc(BLOCK * 2);
}
