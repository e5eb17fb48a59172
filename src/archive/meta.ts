// `<ws>.meta`: the JSON file ProcessMaker writes into every backup and reads on restore
// (processmaker-3.md §3.3), both ways. Encoded exactly as ProcessMaker does it: PHP json_encode with
// default flags ("/" as "\/", non-ASCII as \uXXXX), then "pretty-printed" by plain string
// replacement of every ",", "{" and "}" — including those inside string values.
//
// Decoding undoes the three replacements: json_encode never writes a raw newline, so every newline
// in the file was injected, and the inverse gives back the exact JSON, values included.
// ProcessMaker's own restore instead strips *all* whitespace, which mangles values such as
// "Ubuntu 18.04 LTS (Linux)"; we fall back to whitespace stripping outside strings only when the
// exact inverse does not parse (a hand-edited meta).
//
//   WorkspaceMeta, MetaDatabase   the document: the keys ProcessMaker writes, in its order
//   encodeMeta(meta): string      json_encode + ProcessMaker's pretty-print (phpJsonEncode: the first half)
//   decodeMeta(text, name): PmMeta  the document (`raw`, not validated: old metas lack keys) and the
//                                 facts a restore reads from it, with ProcessMaker's defaults
//   MetaError                     the text is not a meta
//   platformFromSystem(SYSTEM)    the OS family that made the backup
import type { Platform } from "../runtime.js";

export interface MetaDatabase {
  adapter: string;
  name: string;
  /** DB_HOST as written in db.php, with ":port" when it has one. */
  host: string;
  user: string;
  pass: string;
  /** "<adapter>://<user>:<pass>@<host>/<name>?encoding=utf8" */
  dsn: string;
}

/**
 * Keys in ProcessMaker's order. Between IP/PLUGINS_LIST and WORKSPACE_NAME come every
 * single-quoted define of db.php, in file order (DB_ADAPTER, DB_HOST, DB_NAME, DB_USER, DB_PASS, …);
 * they are typed through the index signature.
 */
export interface WorkspaceMeta {
  SYSTEM: string;
  PHP: string;
  PM_VERSION: string;
  SERVER_ADDR: string;
  IP: string;
  PLUGINS_LIST: string[];
  WORKSPACE_NAME: string;
  /** "MySql (Version x.y.z)" */
  DATABASE: string;
  DATABASE_SERVER: string;
  DATABASE_NAME: string;
  AVAILABLE_DB: string;
  databases: MetaDatabase[];
  directories: string[];
  version: number;
  backupEngineVersion?: number;
  [dbPhpKey: string]: unknown;
}

function escapeString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "/") out += "\\/";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp >= 0x80) {
      // PHP escapes control characters and everything outside ASCII (UTF-16 units, lower-case hex).
      for (let i = 0; i < ch.length; i++)
        out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** PHP json_encode() with default flags (no pretty print, escaped slashes and unicode). */
export function phpJsonEncode(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return escapeString(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "0";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return `[${value.map(phpJsonEncode).join(",")}]`;
  if (typeof value === "object") {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${escapeString(k)}:${phpJsonEncode(v)}`);
    return `{${parts.join(",")}}`;
  }
  throw new TypeError(`cannot encode ${typeof value}`);
}

/** The meta file's bytes, as ProcessMaker writes them (no trailing newline beyond the last "}\n"). */
export function encodeMeta(meta: WorkspaceMeta): string {
  return phpJsonEncode(meta)
    .replaceAll(",", ",\n  ")
    .replaceAll("{", "{\n  ")
    .replaceAll("}", "\n}\n");
}

/** What a restore reads from a meta; `raw` is the whole document as decoded. */
export interface PmMeta {
  raw: Record<string, unknown>;
  workspace: string;
  system: string | undefined;
  pmVersion: string | undefined;
  databaseVersion: string | undefined;
  /** `version` (1 for every ProcessMaker 3 backup). */
  version: number;
  /** `backupEngineVersion`; absent (→ 1) in split backups and old engines. */
  engine: number;
  databases: Array<Pick<MetaDatabase, "name" | "host" | "user" | "pass">>;
  directories: string[];
}

export class MetaError extends Error {}

function undoPrettyPrint(text: string): string {
  return text
    .replace(/\r\n/g, "\n")
    .replaceAll("\n}\n", "}")
    .replaceAll("{\n  ", "{")
    .replaceAll(",\n  ", ",");
}

/** Drops whitespace outside JSON strings and raw line breaks inside them. */
function stripOutsideStrings(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? "";
    if (inString) {
      if (ch === "\\") {
        out += ch + (text[i + 1] ?? "");
        i += 1;
        continue;
      }
      if (ch === '"') inString = false;
      if (ch !== "\n" && ch !== "\r") out += ch;
      continue;
    }
    if (ch === '"') inString = true;
    if (!/\s/.test(ch)) out += ch;
  }
  return out;
}

function parseMetaJson(text: string): Record<string, unknown> {
  for (const candidate of [undoPrettyPrint(text), stripOutsideStrings(undoPrettyPrint(text))]) {
    try {
      const v: unknown = JSON.parse(candidate);
      if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // try the next, more forgiving reading
    }
  }
  throw new MetaError(
    "the metadata is not valid JSON, even after undoing ProcessMaker's formatting",
  );
}

const str = (v: unknown): string | undefined =>
  typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;

/** `databases[]`, else the single database of DB_NAME/DATABASE_NAME (old metas). */
function metaDatabases(raw: Record<string, unknown>): PmMeta["databases"] {
  const dbs = Array.isArray(raw["databases"]) ? (raw["databases"] as unknown[]) : [];
  const databases: PmMeta["databases"] = [];
  for (const d of dbs) {
    if (!d || typeof d !== "object") continue;
    const o = d as Record<string, unknown>;
    const name = str(o["name"]);
    if (name)
      databases.push({
        name,
        host: str(o["host"]) ?? "",
        user: str(o["user"]) ?? "",
        pass: str(o["pass"]) ?? "",
      });
  }
  if (databases.length === 0) {
    const name = str(raw["DB_NAME"]) ?? str(raw["DATABASE_NAME"]);
    if (name)
      databases.push({
        name,
        host: str(raw["DB_HOST"]) ?? "",
        user: str(raw["DB_USER"]) ?? "",
        pass: str(raw["DB_PASS"]) ?? "",
      });
  }
  return databases;
}

/** Decodes a meta's text; `fallbackName` (the entry's file name) when it names no workspace. */
export function decodeMeta(text: string, fallbackName: string): PmMeta {
  const raw = parseMetaJson(text);
  const dirs = Array.isArray(raw["directories"])
    ? (raw["directories"] as unknown[]).filter((x): x is string => typeof x === "string")
    : [];
  return {
    raw,
    workspace: str(raw["WORKSPACE_NAME"]) ?? fallbackName,
    system: str(raw["SYSTEM"]),
    pmVersion: str(raw["PM_VERSION"]),
    databaseVersion: str(raw["DATABASE"]),
    version: Number(raw["version"] ?? 1),
    engine: Number(raw["backupEngineVersion"] ?? 1),
    databases: metaDatabases(raw),
    directories: dirs,
  };
}

/** The OS family in the `(…)` suffix of SYSTEM (PHP_OS): Linux, WINNT/Windows, Darwin. */
export function platformFromSystem(system: string | undefined): Platform | undefined {
  const m = /\(([^()]*)\)\s*$/.exec(system ?? "");
  const os = (m?.[1] ?? "").trim().toLowerCase();
  if (os === "linux") return "linux";
  if (os === "winnt" || os === "windows" || os === "win32") return "win32";
  if (os === "darwin") return "darwin";
  return undefined;
}
