// Creating a realistic ProcessMaker 3 workspace from our fixtures: database, its own database
// user, schema, triggers with a DEFINER, stock RBAC data, N generated cases and the files on disk.
// The sandbox command and the test harness both use it.
import { mkdir, writeFile, chmod } from "node:fs/promises";
import path from "node:path";
import { createHash } from "node:crypto";
import { createAccount, newAccountName, strongPassword } from "../db/accounts.js";
import { connect } from "../db/mysql.js";
import { ident } from "../db/sql-text.js";
import type { DbTarget } from "../db/types.js";
import { renderDbPhp } from "../install/db-php.js";
import { ADMIN_USER_UID } from "../rbac/permission-catalog.js";
import { assertWorkspaceName } from "../install/names.js";
import { caseBatches, caseDocuments } from "./cases.js";
import { schemaStatements, triggerStatements } from "./fixture-files.js";
import { writeWorkspaceTree } from "./layout.js";
import { MANAGER_UID, OPERATOR_UID, PROCESS_UID, TASK_UIDS, stockSeedStatements } from "./seed.js";

export interface ProvisionOptions {
  /** An account that may create databases and users. */
  admin: DbTarget;
  /** DB_HOST as written into db.php, e.g. "127.0.0.1:3307". */
  dbHostForDbPhp: string;
  sharedDir: string;
  name: string;
  cases: number;
  seed?: number;
  docBytes?: number;
  now: Date;
  /** Password of the 'admin' ProcessMaker user (stored as sha256 hex). */
  adminPassword?: string;
  onProgress?: (message: string) => void;
}

export interface ProvisionedWorkspace {
  name: string;
  database: string;
  dbUser: string;
  dbPassword: string;
  siteDir: string;
}

export async function provisionWorkspace(o: ProvisionOptions): Promise<ProvisionedWorkspace> {
  assertWorkspaceName(o.name);
  const progress = o.onProgress ?? (() => undefined);
  const database = `wf_${o.name}`;
  const dbUser = newAccountName();
  const dbPassword = strongPassword();
  const siteDir = path.join(o.sharedDir, "sites", o.name);
  const db = await connect(o.admin);
  try {
    progress(`creating database ${database} and user ${dbUser}`);
    await db.execute(
      `CREATE DATABASE ${ident(database)} DEFAULT CHARACTER SET utf8 COLLATE utf8_general_ci`,
    );
    await createAccount(db, dbUser, dbPassword, { databases: [database], withGrantOption: true });
    await db.execute(`USE ${ident(database)}`);
    // ProcessMaker runs non-strict; load the way it would be loaded.
    await db.execute("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
    for (const stmt of await schemaStatements()) await db.execute(stmt);
    for (const stmt of await triggerStatements(`${ident(dbUser)}@${ident("localhost")}`))
      await db.execute(stmt);
    const adminHash = createHash("sha256")
      .update(o.adminPassword ?? "admin")
      .digest("hex");
    for (const stmt of stockSeedStatements({ now: o.now, adminPasswordHash: adminHash }))
      await db.execute(stmt);
    progress(`generating ${o.cases} cases`);
    const genOpts = {
      count: o.cases,
      seed: o.seed ?? 1,
      now: o.now,
      processUid: PROCESS_UID,
      taskUids: TASK_UIDS,
      userUids: [ADMIN_USER_UID, OPERATOR_UID, MANAGER_UID],
      ...(o.docBytes === undefined ? {} : { docBytes: o.docBytes }),
    };
    for (const stmt of caseBatches(genOpts)) await db.execute(stmt);
    progress(`writing ${siteDir}`);
    await mkdir(siteDir, { recursive: true });
    await writeWorkspaceTree(siteDir, {});
    for (const doc of caseDocuments(genOpts)) {
      const file = path.join(siteDir, doc.relPath);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, doc.content);
      await chmod(file, doc.mode);
    }
    await writeFile(
      path.join(siteDir, "db.php"),
      renderDbPhp({ host: o.dbHostForDbPhp, name: database, user: dbUser, password: dbPassword }),
      { mode: 0o640 },
    );
  } finally {
    await db.close();
  }
  return { name: o.name, database, dbUser, dbPassword, siteDir };
}
