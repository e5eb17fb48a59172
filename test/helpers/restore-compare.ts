// Comparing a restored workspace with its source: CHECKSUM TABLE of every table, file tree
// (content, mode, link targets).
import { createHash } from "node:crypto";
import { readFile, readdir, readlink } from "node:fs/promises";
import { walk } from "../../src/fsx/walk.js";
import { ident } from "../../src/db/mysql.js";
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
