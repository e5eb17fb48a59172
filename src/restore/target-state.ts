// What the target looks like, read before planning: server settings, existing databases and
// workspace directories, free disk, and whether the admin account may create databases and users.
import { readFile, readdir, statfs } from "node:fs/promises";
import path from "node:path";
import { failure } from "../errors.js";
import { serverInfo } from "../db/mysql.js";
import type { Queryable } from "../db/types.js";
import type { Platform } from "../runtime.js";
import { parseDbPhp, workspaceDatabases } from "../install/db-php.js";
import type { AccountInfo, SiteInfo, TargetState } from "./plan.js";

/** What each site's db.php names: the databases and account a restore must not mistake. */
async function readSites(sitesDir: string, names: readonly string[]): Promise<SiteInfo[]> {
  return Promise.all(
    names.map(async (name) => {
      try {
        const db = parseDbPhp(await readFile(path.join(sitesDir, name, "db.php"), "utf8"));
        const values: Record<string, string> = {};
        for (const [k, v] of db.defines) if (k.startsWith("DB_")) values[k] = v;
        return {
          name,
          db: {
            databases: workspaceDatabases(db).map((d) => ({ role: d.role, name: d.endpoint.name })),
            user: db.wf.user,
            password: db.wf.password,
            values,
          },
        };
      } catch {
        return { name, db: undefined };
      }
    }),
  );
}

/** Every account, and whether it holds a privilege ON *.* (a workspace's account holds none). */
async function readAccounts(db: Queryable): Promise<AccountInfo[]> {
  const users = await db.query<{ u: string; h: string }>(
    "SELECT User AS u, Host AS h FROM mysql.user",
  );
  const global = new Set(
    (
      await db.query<{ g: string }>(
        "SELECT DISTINCT GRANTEE AS g FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE <> 'USAGE'",
      )
    ).map((r) => r.g),
  );
  const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;
  return users.map((r) => ({
    user: r.u,
    host: r.h,
    global: global.has(`${quote(r.u)}@${quote(r.h)}`),
  }));
}

export async function readTargetState(
  db: Queryable,
  sitesDir: string,
  platform: Platform,
): Promise<TargetState & { serverVersion: string }> {
  const info = await serverInfo(db);
  const grants = (await db.query<Record<string, string>>("SHOW GRANTS")).map((r) =>
    String(Object.values(r)[0] ?? ""),
  );
  const mayCreate = grants.some(
    (g) =>
      /GRANT ALL PRIVILEGES ON \*\.\*/i.test(g) ||
      (/CREATE USER/i.test(g) && /\bCREATE\b/i.test(g) && /ON \*\.\*/i.test(g)),
  );
  if (!mayCreate) {
    throw failure(
      "RESTORE.ADMIN_PRIVILEGES",
      "The database admin account may not create databases and users.",
      {
        hint: "Use an account with ALL PRIVILEGES ON *.* WITH GRANT OPTION (--db-admin-url or the installation's HASH_INSTALLATION).",
      },
    );
  }
  const databases = (await db.query<{ Database: string }>("SHOW DATABASES")).map((r) => r.Database);
  let siteDirs: string[] = [];
  try {
    siteDirs = (await readdir(sitesDir, { withFileTypes: true }))
      .filter((d) => d.isDirectory() && !d.name.startsWith("."))
      .map((d) => d.name);
  } catch {
    siteDirs = [];
  }
  let freeBytes: number | undefined;
  try {
    const s = await statfs(sitesDir);
    freeBytes = s.bavail * s.bsize;
  } catch {
    freeBytes = undefined;
  }
  return {
    platform,
    lowerCaseTableNames: info.lowerCaseTableNames,
    databases,
    siteDirs,
    sites: await readSites(sitesDir, siteDirs),
    accounts: await readAccounts(db),
    freeBytes,
    serverVersion: info.version,
  };
}

/** For the -o confirmation: what is about to be replaced. */
export async function liveSummary(
  db: Queryable,
  database: string,
): Promise<{
  cases: number | undefined;
  lastChange: string | undefined;
  bytes: number | undefined;
}> {
  try {
    const rows = await db.query<{ n: string; d: string | null }>(
      `SELECT COUNT(*) AS n, MAX(APP_UPDATE_DATE) AS d FROM \`${database.replaceAll("`", "``")}\`.APPLICATION`,
    );
    const size = await db.query<{ b: string | null }>(
      "SELECT SUM(DATA_LENGTH + INDEX_LENGTH) AS b FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?",
      [database],
    );
    return {
      cases: Number(rows[0]?.["n"] ?? 0),
      lastChange: rows[0]?.["d"] ? String(rows[0]["d"]) : undefined,
      bytes: Number(size[0]?.["b"] ?? 0),
    };
  } catch {
    return { cases: undefined, lastChange: undefined, bytes: undefined };
  }
}
