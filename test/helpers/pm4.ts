// A throwaway ProcessMaker 4 install for tests: a database built from fixtures/pm4 on the shared
// test server, and a root directory with a .env (plus artisan and ProcessMaker/ markers).
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ident } from "../../src/db/sql-text.js";
import type { Db } from "../../src/db/types.js";
import { adminDb, adminTarget, uniqueName } from "./db.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/pm4");

export interface Pm4Fixture {
  dir: string;
  database: string;
  /** A connection to the fixture database (closed by cleanup). */
  db: Db;
  env(): Record<string, string>;
  cleanup(): Promise<void>;
}

/** Our fixture files hold one statement per `;` at a line end and only whole-line comments. */
export function splitSql(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => !l.trimStart().startsWith("--"))
    .join("\n")
    .split(/;\s*\n/)
    .map((s) => s.trim().replace(/;$/, ""))
    .filter((s) => s.length > 0);
}

export async function createPm4Fixture(
  opts: { redisPort?: number; redisDb?: number; extraEnv?: string } = {},
): Promise<Pm4Fixture> {
  const database = uniqueName("pm4_");
  const admin = await adminDb();
  await admin.execute(`CREATE DATABASE ${ident(database)} CHARACTER SET utf8mb4`);
  await admin.close();
  const db = await adminDb(database);
  for (const file of ["schema.sql", "seed.sql"]) {
    for (const stmt of splitSql(await readFile(path.join(FIXTURES, file), "utf8")))
      await db.execute(stmt);
  }
  const dir = await mkdtemp(path.join(tmpdir(), "pmadmin-pm4-"));
  const t = adminTarget();
  const lines = [
    'APP_NAME="ProcessMaker Test"',
    "APP_ENV=testing",
    `DB_HOSTNAME=${t.host}`,
    `DB_PORT=${t.port ?? 3306}`,
    `DB_DATABASE=${database}`,
    `DB_USERNAME=${t.user}`,
    `DB_PASSWORD='${t.password}'`,
    "CACHE_DRIVER=redis",
    "REDIS_HOST=127.0.0.1",
    `REDIS_PORT=${opts.redisPort ?? 1}`,
    "REDIS_PASSWORD=null",
    `REDIS_DB=${opts.redisDb ?? 0}`,
    "REDIS_PREFIX=",
    opts.extraEnv ?? "",
  ];
  await writeFile(path.join(dir, ".env"), `${lines.join("\n")}\n`, { mode: 0o600 });
  await writeFile(path.join(dir, "artisan"), "#!/usr/bin/env php\n");
  await mkdir(path.join(dir, "ProcessMaker"));
  return {
    dir,
    database,
    db,
    env: () => ({ PM_INSTALL_DIR: dir }),
    async cleanup() {
      await db.execute(`DROP DATABASE IF EXISTS ${ident(database)}`).catch(() => undefined);
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
