// Archives laid out the way ProcessMaker 3 writes them (processmaker-3.md §3), built by our own code
// from a provisioned test workspace: `<ws>.meta` with ProcessMaker's pretty-printing, `<db>.sql`
// from `mariadb-dump --opt --skip-comments`, `<ws>.files/…` without a root entry (GNU tar), a
// split -m archive with absolute PATH_DATA paths, and an engine-1 style dump.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import type { WorkspaceMeta } from "../../src/archive/meta.js";
import { writeOptionFile } from "../../src/exec/option-file.js";
import type { DbTarget } from "../../src/db/types.js";
import type { ProvisionedWorkspace } from "../../src/sandbox/provision.js";
import { adminTarget } from "./db.js";

/** PHP json_encode (escaped '/') then ProcessMaker's text-replacement pretty-print. */
export function pmMetaText(meta: Record<string, unknown>): string {
  const json = JSON.stringify(meta).replaceAll("/", "\\/");
  return json.replaceAll(",", ",\n  ").replaceAll("{", "{\n  ").replaceAll("}", "\n}\n");
}

/**
 * What ProcessMaker's restore makes of a meta: every CR/LF, then every whitespace character (PCRE
 * \s) removed, then json_decode — values lose their spaces.
 */
export function decodeMetaAsProcessMaker(text: string): WorkspaceMeta {
  return JSON.parse(text.replace(/[\r\n]/g, "").replace(/[ \t\n\v\f\r]+/g, "")) as WorkspaceMeta;
}

export function pmMeta(
  ws: ProvisionedWorkspace,
  o: { system?: string; engine?: number | null; server?: DbTarget } = {},
): Record<string, unknown> {
  const a = o.server ?? adminTarget();
  const host = `${a.host}:${a.port ?? 3306}`;
  const meta: Record<string, unknown> = {
    SYSTEM: o.system ?? "Debian GNU/Linux 12 (bookworm) (Linux)",
    PHP: "7.4.33",
    PM_VERSION: "3.3.0-community-RE-2.8",
    SERVER_ADDR: "",
    IP: "",
    PLUGINS_LIST: [],
    DB_ADAPTER: "mysql",
    DB_HOST: host,
    DB_NAME: ws.database,
    DB_USER: ws.dbUser,
    DB_PASS: ws.dbPassword,
    DB_RBAC_HOST: host,
    DB_RBAC_NAME: ws.database,
    DB_RBAC_USER: ws.dbUser,
    DB_RBAC_PASS: ws.dbPassword,
    DB_REPORT_HOST: host,
    DB_REPORT_NAME: ws.database,
    DB_REPORT_USER: ws.dbUser,
    DB_REPORT_PASS: ws.dbPassword,
    WORKSPACE_NAME: ws.name,
    DATABASE: "MySql (Version 10.11.19)",
    DATABASE_SERVER: host,
    DATABASE_NAME: ws.database,
    AVAILABLE_DB: "Not defined",
    databases: [
      {
        adapter: "mysql",
        name: ws.database,
        host,
        user: ws.dbUser,
        pass: ws.dbPassword,
        dsn: `mysql://${ws.dbUser}:${ws.dbPassword}@${host}/${ws.database}`,
      },
    ],
    directories: [`${ws.name}.files`],
    version: 1,
  };
  if (o.engine !== null) meta["backupEngineVersion"] = o.engine ?? 2;
  return meta;
}

export async function dumpWorkspace(
  ws: ProvisionedWorkspace,
  file: string,
  server: DbTarget = adminTarget(),
): Promise<void> {
  const a = server;
  const opt = await writeOptionFile({
    host: a.host,
    port: a.port,
    user: ws.dbUser,
    password: ws.dbPassword,
  });
  try {
    const r = await execa(
      "mariadb-dump",
      [`--defaults-extra-file=${opt.path}`, "--opt", "--skip-comments", ws.database],
      { stdout: { file } },
    );
    if (r.exitCode !== 0) throw new Error(`dump failed: ${String(r.stderr)}`);
  } finally {
    await opt.dispose();
  }
}

/** Engine 1 (PM ≤ 2.8 PHP dump): one INSERT per row, every value quoted, `TYPE=InnoDB`. */
export async function engine1Dump(sqlFromMysqldump: string): Promise<string> {
  const text = await readFile(sqlFromMysqldump, "latin1");
  const out: string[] = ["-- ProcessMaker dump (engine 1)", "SET FOREIGN_KEY_CHECKS=0;"];
  // Newer mariadb-dump writes one row per line: join each INSERT back into one line first.
  const joined: string[] = [];
  for (const line of text.split("\n")) {
    const last = joined.length - 1;
    if (last >= 0 && /^INSERT INTO /.test(joined[last] ?? "") && !/;$/.test(joined[last] ?? ""))
      joined[last] += line;
    else joined.push(line);
  }
  for (const line of joined) {
    if (/^INSERT INTO /.test(line)) {
      const m = /^(INSERT INTO `[^`]+` VALUES )(.*);$/.exec(line);
      if (!m) continue;
      // Split "(…),(…)" on row boundaries outside quotes.
      const body = m[2] ?? "";
      let depth = 0;
      let inStr = false;
      let start = 0;
      for (let i = 0; i < body.length; i++) {
        const ch = body[i];
        if (inStr) {
          if (ch === "\\") i++;
          else if (ch === "'") inStr = false;
          continue;
        }
        if (ch === "'") inStr = true;
        else if (ch === "(") depth++;
        else if (ch === ")") {
          depth--;
          if (depth === 0) {
            out.push(`${m[1] ?? ""}${body.slice(start, i + 1)};`);
            start = i + 2;
          }
        }
      }
      continue;
    }
    out.push(line.replace(/\) ENGINE=InnoDB[^;]*;/, ") TYPE=InnoDB;"));
  }
  return out.join("\n");
}

export interface PmArchive {
  file: string;
  dir: string;
  cleanup(): Promise<void>;
}

async function stageTree(
  ws: ProvisionedWorkspace,
  dir: string,
  o: { system?: string; engine1?: boolean; server?: DbTarget },
): Promise<void> {
  await writeFile(
    path.join(dir, `${ws.name}.meta`),
    pmMetaText(
      pmMeta(ws, {
        ...(o.system ? { system: o.system } : {}),
        ...(o.server ? { server: o.server } : {}),
        engine: o.engine1 ? 1 : 2,
      }),
    ),
  );
  const sql = path.join(dir, `${ws.database}.sql`);
  await dumpWorkspace(ws, sql, o.server);
  if (o.engine1) await writeFile(sql, await engine1Dump(sql), "latin1");
  await execa("cp", ["-a", ws.siteDir, path.join(dir, `${ws.name}.files`)]);
}

/** A single-file ProcessMaker archive; `extra` adds raw entries (for unsafe-entry tests). */
export async function buildPmArchive(
  ws: ProvisionedWorkspace,
  o: {
    system?: string;
    engine1?: boolean;
    gzip?: boolean;
    mutate?: (dir: string) => Promise<void>;
    extraArgs?: string[];
    /** The server the workspace lives on (a private one in hostile tests). */
    server?: DbTarget;
  } = {},
): Promise<PmArchive> {
  const dir = await mkdtemp(path.join(tmpdir(), "pm-archive-"));
  const tree = path.join(dir, "tree");
  await mkdir(tree);
  await stageTree(ws, tree, o);
  await o.mutate?.(tree);
  const file = path.join(dir, `${ws.name}.tar${o.gzip ? ".gz" : ""}`);
  const { stdout } = await execa("find", [`${ws.name}.files`, "-mindepth", "1"], { cwd: tree });
  // The meta, every dump (a mutation may rename it), then the workspace's files.
  const dumps = (await readdir(tree)).filter((f) => f.endsWith(".sql")).sort();
  const list = [`${ws.name}.meta`, ...dumps, ...stdout.split("\n").filter(Boolean)];
  await writeFile(path.join(dir, "list"), list.join("\n"));
  await execa(
    "tar",
    [
      o.gzip ? "-czf" : "-cf",
      file,
      "--format=gnu",
      "--no-recursion",
      "-T",
      path.join(dir, "list"),
      ...(o.extraArgs ?? []),
    ],
    { cwd: tree },
  );
  return { file, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A `-s` split archive as ProcessMaker's MFB writes it: `tar czv <tmp> <PATH_DATA>sites/<ws> | split`. */
export async function buildSplitArchive(
  ws: ProvisionedWorkspace,
  sharedDir: string,
  partBytes = 64 * 1024,
): Promise<PmArchive & { base: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "pm-split-"));
  const tmp = path.join(sharedDir, "upgrade", "aB3xYz");
  await mkdir(tmp, { recursive: true });
  await writeFile(
    path.join(tmp, `${ws.name}.meta`),
    pmMetaText({ ...pmMeta(ws, { engine: null }), directories: [ws.name] }),
  );
  await dumpWorkspace(ws, path.join(tmp, `${ws.database}.sql`));
  const base = path.join(dir, `${ws.name}.tar`);
  await execa("bash", [
    "-c",
    `tar czf - "$1" "$2" 2>/dev/null | split -b ${partBytes} -d - "$3."`,
    "x",
    tmp,
    ws.siteDir,
    base,
  ]);
  await rm(tmp, { recursive: true, force: true });
  return { file: base, base, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
