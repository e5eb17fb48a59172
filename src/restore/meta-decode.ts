// Reading ProcessMaker's `<ws>.meta`. ProcessMaker json_encodes the metadata and then
// "pretty-prints" it by plain text replacement (`,` → `,\n  `, `{` → `{\n  `, `}` → `\n}\n`), which
// also hits commas and braces inside values (processmaker-3.md §3.3). json_encode never writes a raw
// newline, so every newline in the file was injected: undoing the three replacements gives back the
// exact JSON, values included. ProcessMaker's own restore instead strips *all* whitespace, which
// mangles values such as "Ubuntu 18.04 LTS (Linux)"; we only fall back to whitespace stripping
// outside strings when the exact inverse does not parse (a hand-edited meta).
import type { Platform } from "../runtime.js";

export interface PmDatabaseEntry {
  name: string;
  host: string;
  user: string;
  pass: string;
}

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
  databases: PmDatabaseEntry[];
  directories: string[];
}

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

export class MetaError extends Error {}

export function parseMetaJson(text: string): Record<string, unknown> {
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

export function decodeMeta(text: string, fallbackName: string): PmMeta {
  const raw = parseMetaJson(text);
  const dbs = Array.isArray(raw["databases"]) ? (raw["databases"] as unknown[]) : [];
  const databases: PmDatabaseEntry[] = [];
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
    databases,
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
