// What `info` reports, gathered as plain data (rendered as text or JSON by the command).
import os from "node:os";
import { serverInfo, withDb } from "../db/mysql.js";
import { errorMessage } from "../errors.js";
import { workspaceDatabases } from "../install/db-php.js";
import { maskedDsn } from "../install/db-url.js";
import type { Installation, Workspace } from "../install/installation.js";
import { withWorkspaceDb } from "../install/workspace-db.js";
import { countTree, type FileCounts } from "../fsx/counts.js";
import { pmadminVersion } from "../version.js";
import type { Runtime } from "../runtime.js";

export const ADMIN_UID = "00000000000000000000000000000001";

export interface SystemInfo {
  pmadminVersion: string;
  os: string;
  platform: string;
  node: string;
  installDir: string;
  sharedDir: string;
  /** The server behind the admin credentials, else the first workspace's; null when unknown. */
  databaseServer: string | null;
}

export interface WorkspaceInfo {
  name: string;
  databases: Array<{ role: string; name: string; dsn: string }>;
  server: { version: string; flavor: string; lowerCaseTableNames: number } | null;
  databaseBytes: number | null;
  files: FileCounts;
  cases: number | null;
  users: number | null;
  adminDueDate: string | null;
  error: string | null;
}

export function systemInfo(rt: Runtime, inst: Installation): SystemInfo {
  return {
    pmadminVersion: pmadminVersion(),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    platform: rt.platform,
    node: process.version,
    installDir: inst.installDir,
    sharedDir: inst.sharedDir,
    databaseServer: null,
  };
}

export async function workspaceInfo(rt: Runtime, ws: Workspace): Promise<WorkspaceInfo> {
  const dbs = workspaceDatabases(ws.db);
  const files = await countTree(ws.siteDir);
  const info: WorkspaceInfo = {
    name: ws.name,
    databases: dbs.map((d) => ({
      role: d.role,
      name: d.endpoint.name,
      dsn: maskedDsn(d.endpoint),
    })),
    server: null,
    databaseBytes: null,
    files,
    cases: null,
    users: null,
    adminDueDate: null,
    error: null,
  };
  try {
    await withWorkspaceDb(ws, rt.env, async (db) => {
      const s = await serverInfo(db);
      info.server = {
        version: s.version,
        flavor: s.flavor,
        lowerCaseTableNames: s.lowerCaseTableNames,
      };
      const names = dbs.map((d) => d.endpoint.name);
      const sizeRows = await db.query<{ b: string | null }>(
        `SELECT SUM(DATA_LENGTH + INDEX_LENGTH) AS b FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${names.map(() => "?").join(",")})`,
        names,
      );
      info.databaseBytes = Number(sizeRows[0]?.b ?? 0);
      const count = async (table: string): Promise<number | null> => {
        try {
          const rows = await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM \`${table}\``);
          return Number(rows[0]?.n ?? 0);
        } catch {
          return null;
        }
      };
      info.cases = await count("APPLICATION");
      info.users = await count("USERS");
      try {
        const rows = await db.query<{ d: string }>(
          "SELECT USR_DUE_DATE AS d FROM USERS WHERE USR_UID = ?",
          [ADMIN_UID],
        );
        info.adminDueDate = rows[0]?.d ?? null;
      } catch {
        info.adminDueDate = null;
      }
    });
  } catch (error) {
    info.error = errorMessage(error);
  }
  return info;
}

/** Version of the server the admin credentials reach, or null when they are missing or fail. */
export async function adminServerVersion(
  rt: Runtime,
  creds: () => Promise<{ host: string; port: number | undefined; user: string; password: string }>,
): Promise<string | null> {
  try {
    const c = await creds();
    return await withDb({ ...c }, rt.env, async (db) => {
      const s = await serverInfo(db);
      return `${s.flavor} ${s.version}`;
    });
  } catch {
    return null;
  }
}
