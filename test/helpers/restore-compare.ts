// Comparing a restored workspace with its source: CHECKSUM TABLE of every table, file tree
// (content, mode, link targets).
import { createHash } from "node:crypto";
import { readFile, readdir, readlink } from "node:fs/promises";
import { walk } from "../../src/fsx/walk.js";
import { expect } from "vitest";
import { connect } from "../../src/db/mysql.js";
import { ident } from "../../src/db/sql-text.js";
import type { DbEndpoint } from "../../src/install/db-php.js";
import { adminDb } from "./db.js";

export async function tableChecksums(database: string): Promise<Record<string, string>> {
  const db = await adminDb();
  try {
    const tables = await db.query<{ n: string }>(
      "SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
      [database],
    );
    const out: Record<string, string> = {};
    for (const t of tables) {
      const rows = await db.query(`CHECKSUM TABLE ${ident(database)}.${ident(t.n)}`);
      out[t.n] = String(rows[0]?.["Checksum"]);
    }
    return out;
  } finally {
    await db.close();
  }
}

export async function treeFingerprint(
  root: string,
  skip: (rel: string) => boolean = () => false,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of walk(root)) {
    if (skip(e.rel)) continue;
    const mode = (e.stats.mode & 0o7777).toString(8);
    if (e.stats.isSymbolicLink()) out[e.rel] = `link ${await readlink(e.abs)}`;
    else if (e.stats.isDirectory()) out[e.rel] = `dir ${mode}`;
    else
      out[e.rel] = `file ${mode} ${createHash("sha256")
        .update(await readFile(e.abs))
        .digest("hex")}`;
  }
  return out;
}

/**
 * What a restore to `targets` could leave behind: the sites/ listing, the databases named after the
 * targets (staging and old copies included) and the grants on them. Databases of other test files
 * sharing the server are left out, so the comparison holds while they run in parallel.
 */
export async function restoreFootprint(
  sitesDir: string,
  targets: readonly string[],
): Promise<{ sites: string[]; dbs: string[]; grants: string[] }> {
  const ours = (d: string): boolean =>
    targets.some((t) => d.toLowerCase().startsWith(`wf_${t.toLowerCase()}`));
  const db = await adminDb();
  try {
    const dbs = (await db.query<{ Database: string }>("SHOW DATABASES"))
      .map((r) => r.Database)
      .filter(ours)
      .sort();
    const grants = (
      await db.query<{ u: string; h: string; d: string }>(
        "SELECT User AS u, Host AS h, Db AS d FROM mysql.db",
      )
    )
      .filter((g) => ours(g.d.replaceAll("\\_", "_")))
      .map((g) => `${g.u}@${g.h} ON ${g.d}`)
      .sort();
    return { sites: (await readdir(sitesDir)).sort(), dbs, grants };
  } finally {
    await db.close();
  }
}

/**
 * Connects with a restored workspace's own db.php credentials and shows its triggers (definers
 * rewritten) and view work for that user: APPLICATION_UPDATE copies into APP_CACHE_VIEW,
 * APP_DELEGATION_INSERT sets APPLICATION.APP_CUR_USER, ACTIVE_USERS_VIEW answers.
 */
export async function expectTriggersWorkAs(endpoint: DbEndpoint): Promise<void> {
  const conn = await connect({
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    password: endpoint.password,
    database: endpoint.name,
  });
  try {
    const [app] = await conn.query<{ APP_UID: string }>(
      "SELECT APP_UID FROM APPLICATION ORDER BY APP_UID LIMIT 1",
    );
    await conn.execute(
      "UPDATE APPLICATION SET APP_STATUS = 'COMPLETED', APP_UPDATE_DATE = NOW() WHERE APP_UID = ?",
      [app!.APP_UID],
    );
    const [acv] = await conn.query<{ s: string }>(
      "SELECT APP_STATUS AS s FROM APP_CACHE_VIEW WHERE APP_UID = ? LIMIT 1",
      [app!.APP_UID],
    );
    if (acv) expect(acv.s).toBe("COMPLETED");
    await conn.execute(
      "INSERT INTO APP_DELEGATION (APP_UID, DEL_INDEX, PRO_UID, TAS_UID, USR_UID, DEL_THREAD_STATUS, DEL_DELEGATE_DATE, DEL_DATA) VALUES (?, 99, 'P', 'T', '00000000000000000000000000000009', 'OPEN', NOW(), '')",
      [app!.APP_UID],
    );
    const [cur] = await conn.query<{ u: string }>(
      "SELECT APP_CUR_USER AS u FROM APPLICATION WHERE APP_UID = ?",
      [app!.APP_UID],
    );
    expect(cur!.u).toBe("00000000000000000000000000000009");
    const [v] = await conn.query<{ n: number }>("SELECT COUNT(*) AS n FROM ACTIVE_USERS_VIEW");
    expect(Number(v!.n)).toBeGreaterThan(0);
  } finally {
    await conn.close();
  }
}
