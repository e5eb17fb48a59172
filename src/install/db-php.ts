// sites/<ws>/db.php: the workspace's database settings (processmaker-3.md §1.4).
import { parseDefines } from "./php-defines.js";

export interface DbEndpoint {
  host: string;
  /** undefined when DB_HOST carries no port (the client default, 3306, applies). */
  port: number | undefined;
  user: string;
  password: string;
  name: string;
}

export interface DbPhp {
  /** Every single-quoted define, in file order (ProcessMaker copies them all into the meta). */
  defines: Map<string, string>;
  wf: DbEndpoint;
  rbac: DbEndpoint;
  report: DbEndpoint;
}

export function splitHostPort(hostValue: string): { host: string; port: number | undefined } {
  const trimmed = hostValue.trim();
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracket) return { host: bracket[1] ?? "", port: bracket[2] ? Number(bracket[2]) : undefined };
  const idx = trimmed.lastIndexOf(":");
  if (idx > 0 && trimmed.indexOf(":") === idx && /^\d+$/.test(trimmed.slice(idx + 1))) {
    return { host: trimmed.slice(0, idx), port: Number(trimmed.slice(idx + 1)) };
  }
  return { host: trimmed, port: undefined };
}

function endpoint(defines: Map<string, string>, prefix: string, fallback?: DbEndpoint): DbEndpoint {
  const get = (k: string): string | undefined => defines.get(`DB_${prefix}${k}`);
  const hostValue = get("HOST");
  const name = get("NAME");
  if (fallback && (hostValue === undefined || name === undefined)) return fallback;
  const { host, port } = splitHostPort(hostValue ?? "");
  return { host, port, user: get("USER") ?? "", password: get("PASS") ?? "", name: name ?? "" };
}

export class DbPhpError extends Error {}

export function parseDbPhp(source: string): DbPhp {
  const defines = parseDefines(source);
  for (const key of ["DB_HOST", "DB_NAME", "DB_USER"]) {
    if (!defines.has(key)) throw new DbPhpError(`${key} is not defined`);
  }
  const wf = endpoint(defines, "");
  return {
    defines,
    wf,
    rbac: endpoint(defines, "RBAC_", wf),
    report: endpoint(defines, "REPORT_", wf),
  };
}

/** The distinct databases of a workspace: one for 3.x, wf/rp/rb for legacy 2.x layouts. */
export function workspaceDatabases(
  db: DbPhp,
): Array<{ role: "wf" | "rp" | "rb"; endpoint: DbEndpoint }> {
  if (db.wf.name === db.rbac.name) return [{ role: "wf", endpoint: db.wf }];
  return [
    { role: "wf", endpoint: db.wf },
    { role: "rp", endpoint: db.report },
    { role: "rb", endpoint: db.rbac },
  ];
}

export interface DbPhpValues {
  host: string;
  name: string;
  user: string;
  password: string;
}

/** db.php as ProcessMaker's first-install wizard writes it (one database for all three roles). */
export function renderDbPhp(v: DbPhpValues): string {
  const line = (key: string, value: string): string =>
    `  define ('${key}',${" ".repeat(Math.max(1, 16 - key.length))}'${value}' );`;
  return [
    "<?php",
    "// Processmaker configuration",
    line("DB_ADAPTER", "mysql"),
    line("DB_HOST", v.host),
    line("DB_NAME", v.name),
    line("DB_USER", v.user),
    line("DB_PASS", v.password),
    line("DB_RBAC_HOST", v.host),
    line("DB_RBAC_NAME", v.name),
    line("DB_RBAC_USER", v.user),
    line("DB_RBAC_PASS", v.password),
    line("DB_REPORT_HOST", v.host),
    line("DB_REPORT_NAME", v.name),
    line("DB_REPORT_USER", v.user),
    line("DB_REPORT_PASS", v.password),
    "",
  ].join("\n");
}
