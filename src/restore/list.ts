// `workspace-restore -i --list`: every entry of an archive as `tar tv` shows it, streamed (one
// entry in memory at a time). Contents are skipped, not checked: `-i` alone verifies checksums.
import type { ArchiveSource } from "../archive/read/source.js";
import { readArchive, type EntryStream } from "../archive/read/reader.js";
import { kindOf, type EntryKind, type RawEntry } from "../archive/read/entry.js";

export interface ListedEntry {
  path: string;
  type: EntryKind;
  /** Permission bits as four octal digits, e.g. "0644". */
  mode: string;
  owner: string | null;
  group: string | null;
  uid: number | null;
  gid: number | null;
  size: number;
  /** ISO 8601 (UTC), or null when the header has none. */
  mtime: string | null;
  /** A symbolic link's target, or the entry a hard link names. */
  linkTarget: string | null;
}

function listed(h: RawEntry, e: EntryStream): ListedEntry {
  const type = kindOf(h.type);
  return {
    path: h.path,
    type,
    mode: (h.mode & 0o7777).toString(8).padStart(4, "0"),
    owner: e.uname || null,
    group: e.gname || null,
    uid: e.uid ?? null,
    gid: e.gid ?? null,
    size: type === "file" ? h.size : 0,
    mtime: h.mtime === undefined ? null : new Date(h.mtime).toISOString(),
    linkTarget: h.linkpath ?? null,
  };
}

/** Calls `onEntry` for each entry in archive order; returns how many there were. */
export async function listArchive(
  source: ArchiveSource,
  onEntry: (e: ListedEntry) => Promise<void> | void,
  signal?: AbortSignal,
): Promise<number> {
  return readArchive(
    source,
    async (header, entry) => {
      await onEntry(listed(header, entry));
      // Skip the content: reading it to the end lets the parser go on to the next header.
      for await (const _ of entry) void _;
    },
    signal,
  );
}

const TYPE_CHAR: Record<EntryKind, string> = {
  file: "-",
  dir: "d",
  symlink: "l",
  hardlink: "h",
  other: "?",
};

/** `-rw-r--r--`: the type letter and the rwx triplets (setuid/setgid/sticky as s/S, t/T). */
export function modeString(e: Pick<ListedEntry, "type" | "mode">): string {
  const m = Number.parseInt(e.mode, 8);
  const bit = (b: number, c: string): string => (m & b ? c : "-");
  const special = (x: boolean, exec: boolean, on: string): string =>
    x ? (exec ? on : on.toUpperCase()) : exec ? "x" : "-";
  return [
    TYPE_CHAR[e.type],
    bit(0o400, "r"),
    bit(0o200, "w"),
    special(Boolean(m & 0o4000), Boolean(m & 0o100), "s"),
    bit(0o040, "r"),
    bit(0o020, "w"),
    special(Boolean(m & 0o2000), Boolean(m & 0o010), "s"),
    bit(0o004, "r"),
    bit(0o002, "w"),
    special(Boolean(m & 0o1000), Boolean(m & 0o001), "t"),
  ].join("");
}

/** Control characters in a name from the archive shown escaped, never sent to the terminal. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\\]/g, (c) =>
    c === "\\" ? "\\\\" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/** One `tar tv` line: mode, owner/group, size, mtime (UTC), path and link target. */
export function listLine(e: ListedEntry): string {
  const who = `${e.owner ?? e.uid ?? "?"}/${e.group ?? e.gid ?? "?"}`;
  const when = e.mtime === null ? "????-??-?? ??:??" : e.mtime.slice(0, 16).replace("T", " ");
  const link =
    e.linkTarget === null
      ? ""
      : e.type === "hardlink"
        ? ` link to ${printable(e.linkTarget)}`
        : ` -> ${printable(e.linkTarget)}`;
  return `${modeString(e)} ${who.padEnd(17)} ${String(e.size).padStart(10)} ${when} ${printable(e.path)}${link}`;
}
