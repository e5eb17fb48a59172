// `backups verify --restore-test`: the proof that a backup restores. Each dump of the archive is
// loaded into a throw-away database on the server (`pmadmin_vt_<random>_<n>`), then
// check-integrity's storage and reference checks run on it, then it is dropped. The archive is
// untrusted, so the dumps load the way a restore loads them (restore/db-load.ts: the mariadb client
// with --binary-mode/--sandbox, the SQL filter) as the restore's temporary loader account
// (restore/loader.ts: privileges on the throw-away databases only). The databases and the account
// are dropped on every path out, failures and signals included.
import { randomBytes } from "node:crypto";
import type { PmMeta } from "../archive/meta.js";
import { readArchive } from "../archive/read/reader.js";
import type { ArchiveSource } from "../archive/read/source.js";
import { withDb } from "../db/mysql.js";
import { ident } from "../db/sql-text.js";
import type { Db, DbTarget } from "../db/types.js";
import { errorMessage } from "../errors.js";
import { CHECKS } from "../integrity/catalog.js";
import { runChecks } from "../integrity/run.js";
import type { CheckResult } from "../integrity/types.js";
import { loadDump } from "../restore/db-load.js";
import { normalizeEntryPath } from "../restore/layout.js";
import { clientHost, createLoader, dropLoader, newLoaderAccount } from "../restore/loader.js";

export interface RestoreTestDatabase {
  /** The database's name in the archive (`<db>.sql`). */
  name: string;
  loaded: boolean;
  /** Why loading failed, when it did. */
  error: string | undefined;
  checks: Array<Pick<CheckResult, "id" | "area" | "severity" | "status" | "count">>;
}

export interface RestoreTestResult {
  ok: boolean;
  databases: RestoreTestDatabase[];
}

export interface RestoreTestInput {
  source: ArchiveSource;
  /** Dump entry path → its database's name and the meta it comes from. */
  dumps: Map<string, { name: string; meta: PmMeta }>;
  admin: DbTarget;
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
  now: Date;
  progress: (m: string) => void;
}

const TEST_CHECKS = CHECKS.filter((c) => c.area === "storage" || c.area === "references");

/**
 * A storage error (a table CHECK TABLE rejects, a required table missing) means the restored
 * database is broken; reference findings and warnings are the data's own (the backup keeps them
 * faithfully, check-integrity reports them on the live workspace too).
 */
function damaged(checks: RestoreTestDatabase["checks"]): boolean {
  return checks.some(
    (c) =>
      c.status === "failed" ||
      (c.area === "storage" && c.severity === "error" && c.status === "problems"),
  );
}

async function loadAll(
  i: RestoreTestInput,
  targets: Map<string, string>,
  loader: { user: string; password: string },
  out: Map<string, RestoreTestDatabase>,
): Promise<void> {
  await readArchive(
    i.source,
    async (header, e) => {
      const p = normalizeEntryPath(header.path);
      const dump = i.dumps.get(p);
      const database = targets.get(p);
      if (!dump || database === undefined) {
        e.resume();
        return;
      }
      i.progress(`loading ${p} into ${database}`);
      const r = out.get(p);
      try {
        await loadDump(e, {
          account: { ...i.admin, ...loader },
          database,
          definer: "CURRENT_USER",
          engine: dump.meta.engine,
          env: i.env,
          signal: i.signal,
        });
        if (r) r.loaded = true;
      } catch (error) {
        if (i.signal.aborted) throw error;
        if (r) r.error = errorMessage(error);
        e.resume();
      }
    },
    i.signal,
  );
}

async function checkOne(
  i: RestoreTestInput,
  database: string,
): Promise<RestoreTestDatabase["checks"]> {
  return withDb({ ...i.admin, database }, i.env, async (db) => {
    const results = await runChecks(db, { name: database, siteDir: "" }, TEST_CHECKS, {
      env: i.env,
      now: i.now,
      signal: i.signal,
    });
    return results.map(({ id, area, severity, status, count }) => ({
      id,
      area,
      severity,
      status,
      count,
    }));
  });
}

async function dropAll(db: Db, databases: Iterable<string>): Promise<void> {
  for (const d of databases) await db.execute(`DROP DATABASE IF EXISTS ${ident(d)}`);
}

export async function restoreTest(i: RestoreTestInput): Promise<RestoreTestResult> {
  const tag = randomBytes(4).toString("hex");
  const targets = new Map([...i.dumps.keys()].map((p, k) => [p, `pmadmin_vt_${tag}_${k}`]));
  const out = new Map<string, RestoreTestDatabase>();
  for (const [p, d] of i.dumps)
    out.set(p, { name: d.name, loaded: false, error: undefined, checks: [] });
  await withDb(i.admin, i.env, async (db) => {
    const loader = newLoaderAccount(await clientHost(db));
    try {
      for (const d of targets.values())
        await db.execute(`CREATE DATABASE ${ident(d)} DEFAULT CHARACTER SET utf8mb4`);
      const password = await createLoader(db, loader, [...targets.values()]);
      await loadAll(i, targets, { user: loader.user, password }, out);
      // Checked while the loader exists: the views and triggers are defined by it.
      for (const [p, database] of targets) {
        const r = out.get(p);
        if (r?.loaded) r.checks = await checkOne(i, database);
      }
    } finally {
      await dropLoader(db, loader).catch(() => undefined);
      await dropAll(db, targets.values());
    }
  });
  const databases = [...out.values()];
  return { ok: databases.every((d) => d.loaded && !damaged(d.checks)), databases };
}
