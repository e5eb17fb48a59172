// Comparing a restored workspace with its source: CHECKSUM TABLE of every table, file tree
// (content, mode, link targets).
import { createHash } from "node:crypto";
import { readFile, readlink } from "node:fs/promises";
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

export async function treeFingerprint(root: string, skip: (rel: string) => boolean = () => false): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of walk(root)) {
    if (skip(e.rel)) continue;
    const mode = (e.stats.mode & 0o7777).toString(8);
    if (e.stats.isSymbolicLink()) out[e.rel] = `link ${await readlink(e.abs)}`;
    else if (e.stats.isDirectory()) out[e.rel] = `dir ${mode}`;
    else out[e.rel] = `file ${mode} ${createHash("sha256").update(await readFile(e.abs)).digest("hex")}`;
  }
  return out;
}
