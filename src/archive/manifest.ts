// The pmadmin manifest: one JSON entry at the archive root, written last, that describes the
// archive so a restore can refuse what it should not load (other platform, case-folding server)
// and prove what it extracted is what was written (size + SHA-256 of every other entry).
//
// Public API (workspace-restore imports it; keep it stable):
//   MANIFEST_NAME                     entry name at the archive root ("pmadmin-manifest.json")
//   MANIFEST_FORMAT, MANIFEST_VERSION "pmadmin-backup", 1; a reader refuses a higher version
//   interface Manifest, ManifestWorkspace, ManifestDatabase, ManifestEntry, ManifestServer
//   encodeManifest(m): Buffer         pretty JSON + "\n"
//   ManifestEntryLog                  spools entries to a file while an archive is written, then
//                                     streams the manifest (memory stays flat however many files)
//   parseManifest(text): Manifest     validates shape; throws PmError ARCHIVE.BAD_MANIFEST (exit 1)
//   checkManifestHead(raw), manifestEntryProblem(e), notJson(message): the same checks in parts,
//   ManifestEntriesSplitter           for a reader that streams the entries (workspace-restore)
//   manifestEntryMap(m): Map<name, ManifestEntry>
//
// Entry names are exactly the tar entry names ('/' separated, no trailing '/'). Directories and
// symbolic links have size 0 and the SHA-256 of empty content; links carry `linkname`.
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { failure } from "../errors.js";

export const MANIFEST_NAME = "pmadmin-manifest.json";
export const MANIFEST_FORMAT = "pmadmin-backup";
export const MANIFEST_VERSION = 1;

export interface ManifestEntry {
  name: string;
  type: "file" | "directory" | "symlink";
  size: number;
  sha256: string;
  /** Permission bits (st_mode & 0o7777). */
  mode: number;
  linkname?: string;
}

export interface ManifestServer {
  /** "MariaDB" or "MySQL". */
  flavor: string;
  /** SELECT VERSION(), e.g. "10.11.19-MariaDB-0+deb12u1". */
  version: string;
  /** @@lower_case_table_names of the source server: 0 keeps ProcessMaker's upper-case names. */
  lowerCaseTableNames: number;
}

export interface ManifestDatabase {
  /** "wf" (3.x single database) or "wf"/"rp"/"rb" (2.x layouts). */
  role: string;
  name: string;
  /** The tar entry holding the dump, "<name>.sql". */
  sqlEntry: string;
  server: ManifestServer;
  /** Character set the dump was written in (its SET NAMES). */
  dumpCharset: string;
  /** The database's default character set and collation on the source server. */
  defaultCharset: string;
  defaultCollation: string;
  /** Program and version that wrote the dump, e.g. "mariadb-dump Ver 10.19 Distrib 10.11.19-MariaDB". */
  dumpProgram: string;
  /** Rows per base table, counted in the dump itself (the snapshot that was archived). */
  tables: Record<string, number>;
  views: string[];
  triggers: string[];
  routines: string[];
  events: string[];
}

export interface ManifestWorkspace {
  name: string;
  /** "<ws>.meta" */
  metaEntry: string;
  /** "<ws>.files": the sites/<ws> tree lives under this prefix. */
  filesPrefix: string;
  files: { count: number; directories: number; symlinks: number; bytes: number };
  databases: ManifestDatabase[];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: number;
  pmadminVersion: string;
  /** ISO-8601 time the backup started. */
  createdAt: string;
  /** Platform that made it: "linux" | "darwin" | "win32" (same-platform restore rule). */
  platform: string;
  /** OS description, as in the meta's SYSTEM. */
  os: string;
  /** Server of the first workspace's first database (every database also has its own). */
  server: ManifestServer;
  workspaces: ManifestWorkspace[];
  /** Every entry of the archive except the manifest itself, in archive order. */
  entries: ManifestEntry[];
}

export function encodeManifest(m: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(m, null, 2)}\n`, "utf8");
}

/**
 * Manifest entries spooled to a file, one compact JSON object per line, already in the form they
 * take inside the manifest's "entries" array; `manifest()` returns the manifest's size and a
 * stream of its bytes (the other fields pretty-printed as encodeManifest does).
 */
export class ManifestEntryLog {
  private readonly out: WriteStream;
  private count = 0;
  private closed = false;

  constructor(readonly file: string) {
    this.out = createWriteStream(file, { flags: "wx", mode: 0o600 });
    this.out.on("error", () => undefined); // reported by close()
  }

  readonly record = (e: ManifestEntry): void => {
    if (this.closed) return; // the manifest's own entry: it does not list itself
    this.out.write(`${this.count === 0 ? "" : ",\n"}    ${JSON.stringify(e)}`);
    this.count += 1;
  };

  async manifest(m: Omit<Manifest, "entries">): Promise<{ size: number; stream: Readable }> {
    this.closed = true;
    await new Promise<void>((resolve, reject) => {
      this.out.once("error", reject);
      this.out.end(() => resolve());
    });
    const full = JSON.stringify({ ...m, entries: [] }, null, 2);
    const cut = full.lastIndexOf("[]");
    const head = Buffer.from(`${full.slice(0, cut)}[\n`, "utf8");
    const tail = Buffer.from(`\n  ]${full.slice(cut + 2)}\n`, "utf8");
    const body = (await stat(this.file)).size;
    const file = this.file;
    async function* parts(): AsyncGenerator<Buffer> {
      yield head;
      for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }))
        yield chunk as Buffer;
      yield tail;
    }
    return { size: head.length + body + tail.length, stream: Readable.from(parts()) };
  }
}

function bad(why: string): Error {
  return failure("ARCHIVE.BAD_MANIFEST", `The archive's ${MANIFEST_NAME} is not valid: ${why}.`, {
    hint: "The archive is damaged or was not written by pmadmin; restore from another copy.",
  });
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The manifest's fields other than its entries (entries replaced by an empty array). */
export function checkManifestHead(raw: unknown): Manifest {
  if (!isObj(raw)) throw bad("not an object");
  if (raw["format"] !== MANIFEST_FORMAT) throw bad(`format is not "${MANIFEST_FORMAT}"`);
  const version = raw["formatVersion"];
  if (typeof version !== "number" || !Number.isInteger(version)) throw bad("formatVersion missing");
  if (version > MANIFEST_VERSION) {
    throw failure(
      "ARCHIVE.NEWER_FORMAT",
      `The archive uses manifest format ${version}; this pmadmin reads up to ${MANIFEST_VERSION}.`,
      {
        hint: "Upgrade pmadmin to restore this archive.",
      },
    );
  }
  for (const k of ["pmadminVersion", "createdAt", "platform", "os"]) {
    if (typeof raw[k] !== "string") throw bad(`${k} missing`);
  }
  if (!isObj(raw["server"])) throw bad("server missing");
  if (!Array.isArray(raw["workspaces"]) || raw["workspaces"].length === 0)
    throw bad("no workspaces");
  for (const w of raw["workspaces"] as unknown[]) {
    if (!isObj(w) || typeof w["name"] !== "string" || !Array.isArray(w["databases"]))
      throw bad("a workspace is malformed");
    for (const d of w["databases"] as unknown[]) {
      if (
        !isObj(d) ||
        typeof d["name"] !== "string" ||
        typeof d["sqlEntry"] !== "string" ||
        !isObj(d["tables"])
      ) {
        throw bad(`a database of workspace ${String(w["name"])} is malformed`);
      }
    }
  }
  if (!Array.isArray(raw["entries"])) throw bad("entries missing");
  return raw as unknown as Manifest;
}

/** Why one element of the manifest's entries is malformed (a PmError), or undefined. */
export function manifestEntryProblem(e: unknown): Error | undefined {
  if (
    !isObj(e) ||
    typeof e["name"] !== "string" ||
    typeof e["size"] !== "number" ||
    typeof e["sha256"] !== "string"
  ) {
    return bad("an entry is malformed");
  }
  if (!/^[0-9a-f]{64}$/.test(e["sha256"]))
    return bad(`entry ${String(e["name"])} has a bad sha256`);
  return undefined;
}

export function notJson(message: string): Error {
  return bad(`not JSON (${message})`);
}

export function parseManifest(text: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw notJson((error as Error).message);
  }
  const m = checkManifestHead(raw);
  for (const e of m.entries as unknown[]) {
    const problem = manifestEntryProblem(e);
    if (problem) throw problem;
  }
  return m;
}

const enum Mode {
  Head,
  Between,
  Element,
  Dead,
}

/**
 * Splits a manifest's JSON text, fed in chunks, into its "entries" array's elements (parsed one
 * at a time) and everything else (`head()`: the text with that array emptied), so a manifest of a
 * million entries is checked without holding it. Any JSON syntax error, inside the array or out,
 * is reported by `syntaxError` (elements and separators here; the rest when `head()` is parsed).
 */
export class ManifestEntriesSplitter {
  syntaxError: string | undefined;
  private readonly headParts: string[] = [];
  private mode = Mode.Head;
  private depth = 0;
  private inStr = false;
  private esc = false;
  /** Head, depth 1: the string token being read, the last one, and whether ':' followed it. */
  private tok = "";
  private key: string | undefined;
  private afterStr = false;
  private afterKey = false;
  private seenEntries = false;
  /** Between elements. */
  private hadElem = false;
  private afterComma = false;
  /** Current element. */
  private elem: string[] = [];
  private elemDepth = 0;
  private elemKind: "nest" | "str" | "prim" = "nest";

  private fail(why: string): void {
    this.syntaxError ??= why;
    this.mode = Mode.Dead;
  }

  private finishElement(out: unknown[]): void {
    const text = this.elem.join("");
    this.elem = [];
    this.mode = Mode.Between;
    this.hadElem = true;
    this.afterComma = false;
    try {
      out.push(JSON.parse(text));
    } catch (error) {
      this.fail((error as Error).message);
    }
  }

  /** Feeds a chunk; returns the elements of "entries" completed in it, in order. */
  feed(chunk: string): unknown[] {
    const out: unknown[] = [];
    let seg = 0;
    const n = chunk.length;
    for (let i = 0; i < n && this.mode !== Mode.Dead; i++) {
      const c = chunk.charCodeAt(i);
      if (this.mode === Mode.Head) {
        if (this.inStr) {
          if (this.depth === 1 && this.tok.length < 80) this.tok += chunk[i];
          if (this.esc) this.esc = false;
          else if (c === 0x5c) this.esc = true;
          else if (c === 0x22) {
            this.inStr = false;
            if (this.depth === 1) {
              this.key = this.tok;
              this.afterStr = true;
            }
          }
          continue;
        }
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
        if (c === 0x22) {
          this.inStr = true;
          this.tok = '"';
          this.afterStr = false;
          this.afterKey = false;
          continue;
        }
        if (c === 0x3a && this.afterStr && this.depth === 1) {
          this.afterStr = false;
          this.afterKey = true;
          continue;
        }
        if (c === 0x5b && this.afterKey && this.depth === 1 && this.isEntriesKey()) {
          this.seenEntries = true;
          this.afterKey = false;
          this.headParts.push(chunk.slice(seg, i), "[]");
          seg = i + 1;
          this.mode = Mode.Between;
          this.hadElem = false;
          this.afterComma = false;
          continue;
        }
        this.afterStr = false;
        this.afterKey = false;
        if (c === 0x7b || c === 0x5b) this.depth += 1;
        else if (c === 0x7d || c === 0x5d) this.depth -= 1;
        continue;
      }
      if (this.mode === Mode.Between) {
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
        if (c === 0x5d) {
          if (this.afterComma) {
            this.fail("a trailing comma in the entries array");
            break;
          }
          this.mode = Mode.Head;
          seg = i + 1;
          continue;
        }
        if (c === 0x2c) {
          if (!this.hadElem || this.afterComma) {
            this.fail("a misplaced comma in the entries array");
            break;
          }
          this.afterComma = true;
          continue;
        }
        if (this.hadElem && !this.afterComma) {
          this.fail("a missing comma in the entries array");
          break;
        }
        this.mode = Mode.Element;
        this.elemDepth = 0;
        this.inStr = false;
        this.esc = false;
        this.elemKind = c === 0x7b || c === 0x5b ? "nest" : c === 0x22 ? "str" : "prim";
        seg = i;
        if (this.elemKind === "str") {
          this.inStr = true;
          continue;
        }
        if (this.elemKind === "nest") {
          this.elemDepth = 1;
          continue;
        }
        // a primitive: falls through to be scanned below
      }
      // Mode.Element
      if (this.inStr) {
        if (this.esc) this.esc = false;
        else if (c === 0x5c) this.esc = true;
        else if (c === 0x22) {
          this.inStr = false;
          if (this.elemKind === "str") {
            this.elem.push(chunk.slice(seg, i + 1));
            seg = i + 1;
            this.finishElement(out);
          }
        }
        continue;
      }
      if (this.elemKind === "prim") {
        if (c === 0x2c || c === 0x5d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
          this.elem.push(chunk.slice(seg, i));
          seg = i;
          this.finishElement(out);
          i -= 1; // the separator is read again between elements
        }
        continue;
      }
      if (c === 0x22) this.inStr = true;
      else if (c === 0x7b || c === 0x5b) this.elemDepth += 1;
      else if (c === 0x7d || c === 0x5d) {
        this.elemDepth -= 1;
        if (this.elemDepth === 0) {
          this.elem.push(chunk.slice(seg, i + 1));
          seg = i + 1;
          this.finishElement(out);
        }
      }
    }
    if (this.mode === Mode.Head) this.headParts.push(chunk.slice(seg));
    else if (this.mode === Mode.Element) this.elem.push(chunk.slice(seg));
    return out;
  }

  private isEntriesKey(): boolean {
    if (this.seenEntries || this.key === undefined) return false;
    try {
      return JSON.parse(this.key) === "entries";
    } catch {
      return false;
    }
  }

  /** Ends the input; returns the text without the entries' elements. */
  end(): string {
    if (this.mode === Mode.Element && this.elemKind === "prim") {
      this.elem.push("");
      this.finishElement([]);
    }
    if (this.mode === Mode.Between || this.mode === Mode.Element)
      this.fail("the entries array is not closed");
    return this.headParts.join("");
  }
}

export function manifestEntryMap(m: Manifest): Map<string, ManifestEntry> {
  return new Map(m.entries.map((e) => [e.name, e]));
}
