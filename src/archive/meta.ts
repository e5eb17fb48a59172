// `<ws>.meta`: the JSON file ProcessMaker writes into every backup and reads on restore
// (processmaker-3.md §3.3). Encoded exactly as ProcessMaker does it: PHP json_encode with default
// flags ("/" as "\/", non-ASCII as \uXXXX), then "pretty-printed" by plain string replacement of
// every ",", "{" and "}" — including those inside string values.
//
// Public API (workspace-restore imports it; keep it stable):
//   interface WorkspaceMeta, MetaDatabase  the keys ProcessMaker writes, in its order
//   phpJsonEncode(value): string           PHP json_encode() with default flags
//   encodeMeta(meta): string               json_encode + ProcessMaker's string-replacement pretty-print
//   decodeMetaExact(text): WorkspaceMeta   lossless: undoes the pretty-print (json_encode never emits a raw
//                                          newline, so every newline in the file was inserted by it)
//   decodeMetaAsProcessMaker(text)         what ProcessMaker's restore sees: all CR/LF then all whitespace
//                                          removed, then json_decode (values lose their spaces)
//   MetaDecodeError                        thrown by both decoders on invalid input
//
// Both decoders return the parsed object typed as WorkspaceMeta but do not validate it: metas from
// old ProcessMaker versions lack keys (backupEngineVersion is absent from split backups).

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

export class MetaDecodeError extends Error {}

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

function parse(json: string): WorkspaceMeta {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new MetaDecodeError(`not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new MetaDecodeError("not a JSON object");
  return value as WorkspaceMeta;
}

/** Lossless decode of a ProcessMaker-style meta (also accepts plain JSON). */
export function decodeMetaExact(text: string): WorkspaceMeta {
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith(",\n  ", i)) {
      out += ",";
      i += 4;
    } else if (text.startsWith("{\n  ", i)) {
      out += "{";
      i += 4;
    } else if (text.startsWith("\n}\n", i)) {
      out += "}";
      i += 3;
    } else {
      out += text[i];
      i += 1;
    }
  }
  return parse(out);
}

/** ProcessMaker's restore: strip CR/LF, then every whitespace character (PCRE \s), then json_decode. */
export function decodeMetaAsProcessMaker(text: string): WorkspaceMeta {
  return parse(text.replace(/[\r\n]/g, "").replace(/[ \t\n\v\f\r]+/g, ""));
}
