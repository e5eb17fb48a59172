// The values ProcessMaker puts into `<ws>.meta` (processmaker-3.md §3.3), derived the same way:
// facts about the host and installation are gathered once (I/O), the meta itself is built by a
// pure function from them and the workspace's db.php.
import { readFile, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { WorkspaceMeta, MetaDatabase } from "../archive/meta.js";
import { runProgram } from "../exec/run.js";
import type { DbPhp } from "../install/db-php.js";
import type { Platform } from "../runtime.js";

export interface HostFacts {
  /** e.g. "Debian GNU/Linux 12 (bookworm) (Linux)" */
  system: string;
  php: string;
  pmVersion: string;
  serverAddr: string;
  ip: string;
  plugins: string[];
}

/** PHP_OS for each platform, as ProcessMaker appends it to SYSTEM. */
const PHP_OS: Record<Platform, string> = { linux: "Linux", darwin: "Darwin", win32: "WINNT" };

async function distribution(): Promise<string> {
  try {
    const d = (await runProgram("lsb_release", ["-d", "-s"], { timeoutMs: 5000 })).stdout.trim();
    if (d !== "") return d.replace(/^"+|"+$/g, "");
  } catch {
    // no lsb_release: fall through to the release files, as ProcessMaker does
  }
  try {
    const text = await readFile("/etc/os-release", "utf8");
    const m = /^PRETTY_NAME=(.*)$/m.exec(text);
    if (m?.[1]) return m[1].trim().replace(/^"+|"+$/g, "");
  } catch {
    // not Linux, or a minimal system
  }
  return `${os.type()} ${os.release()}`;
}

async function phpVersion(): Promise<string> {
  try {
    return (
      await runProgram("php", ["-r", "echo PHP_VERSION;"], { timeoutMs: 5000 })
    ).stdout.trim();
  } catch {
    return "";
  }
}

/** PM_VERSION from workflow/engine/methods/login/version-pmos.php, else "Development Version". */
async function pmVersion(installDir: string): Promise<string> {
  try {
    const text = await readFile(
      path.join(installDir, "workflow/engine/methods/login/version-pmos.php"),
      "utf8",
    );
    const m = /define\s*\(\s*['"]PM_VERSION['"]\s*,\s*['"]([^'"]*)['"]/.exec(text);
    if (m?.[1] !== undefined) return m[1];
  } catch {
    // a development tree or a bare layout (tests, sandbox)
  }
  return "Development Version";
}

async function plugins(installDir: string): Promise<string[]> {
  try {
    const names = await readdir(path.join(installDir, "workflow/engine/plugins"));
    return names
      .filter((n) => n.endsWith(".php"))
      .map((n) => n.slice(0, -4))
      .sort();
  } catch {
    return [];
  }
}

export async function gatherHostFacts(o: {
  installDir: string;
  platform: Platform;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<HostFacts> {
  const ssh = (o.env["SSH_CONNECTION"] ?? "").trim().split(/\s+/);
  const [dist, php, pm, plug] = await Promise.all([
    distribution(),
    phpVersion(),
    pmVersion(o.installDir),
    plugins(o.installDir),
  ]);
  return {
    system: `${dist} (${PHP_OS[o.platform]})`,
    php,
    pmVersion: pm,
    serverAddr: ssh[2] ?? "",
    ip: ssh.length >= 3 ? (ssh[0] ?? "") : "",
    plugins: plug,
  };
}

/** "MySql (Version x.y.z)" from SELECT VERSION(), as ProcessMaker's Net::getDbServerVersion. */
function databaseLabel(serverVersion: string | undefined): string {
  const m = serverVersion === undefined ? null : /\d+\.\d+\.\d+/.exec(serverVersion);
  return `MySql (Version ${m ? m[0] : "Unknown"})`;
}

function credentials(defines: Map<string, string>, prefix: string): MetaDatabase {
  const get = (k: string): string => defines.get(`DB_${prefix}${k}`) ?? "";
  const adapter = defines.get("DB_ADAPTER") ?? "mysql";
  const [name, host, user, pass] = [get("NAME"), get("HOST"), get("USER"), get("PASS")];
  return {
    adapter,
    name,
    host,
    user,
    pass,
    dsn: `${adapter}://${user}:${pass}@${host}/${name}?encoding=utf8`,
  };
}

export function buildWorkspaceMeta(
  facts: HostFacts,
  ws: { name: string; db: DbPhp },
  serverVersion: string | undefined,
): WorkspaceMeta {
  const d = ws.db.defines;
  const meta: Record<string, unknown> = {
    SYSTEM: facts.system,
    PHP: facts.php,
    PM_VERSION: facts.pmVersion,
    SERVER_ADDR: facts.serverAddr,
    IP: facts.ip,
    PLUGINS_LIST: facts.plugins,
  };
  // Every single-quoted define of db.php, in file order (ProcessMaker's array_merge).
  for (const [k, v] of d) meta[k] = v;
  meta["WORKSPACE_NAME"] = ws.name;
  meta["DATABASE"] = databaseLabel(serverVersion);
  meta["DATABASE_SERVER"] = d.get("DB_HOST") ?? "";
  meta["DATABASE_NAME"] = d.get("DB_NAME") ?? "";
  meta["AVAILABLE_DB"] = "Not defined";
  // One element when DB_NAME equals DB_RBAC_NAME, else wf, rp, rb (WorkspaceTools::exportDatabase).
  const oneDb = (d.get("DB_NAME") ?? "") === (d.get("DB_RBAC_NAME") ?? d.get("DB_NAME") ?? "");
  meta["databases"] = oneDb
    ? [credentials(d, "")]
    : [credentials(d, ""), credentials(d, "REPORT_"), credentials(d, "RBAC_")];
  meta["directories"] = [`${ws.name}.files`];
  meta["version"] = 1;
  meta["backupEngineVersion"] = 2;
  return meta as WorkspaceMeta;
}
