// What the target looks like, read before planning: server settings, existing databases and
// workspace directories, free disk, and whether the admin account may create databases and users.
import { readdir, statfs } from "node:fs/promises";
import { failure } from "../errors.js";
import { serverInfo } from "../db/mysql.js";
import type { Queryable } from "../db/types.js";
import type { Platform } from "../runtime.js";
import type { TargetState } from "./plan.js";

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
