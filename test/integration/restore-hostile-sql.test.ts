// Hostile archives against the SQL side of workspace-restore (issue 10, items 1, 2 and 4): SQL
// appended to a genuine dump, and names in <ws>.meta that point at something else. Each case is
// judged by the world outside the restore target — other databases, every account with its
// password hash and privileges, the mysql schema, files outside the new workspace, temp debris —
// whatever the exit code. Runs against a private server of its own, never the shared one.
import { mkdir, mkdtemp, readFile, rename, rm, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/db/mysql.js";
import { ident } from "../../src/db/sql-text.js";
import type { Db } from "../../src/db/types.js";
import { parseDbPhp } from "../../src/install/db-php.js";
import type { ProvisionedWorkspace } from "../../src/sandbox/provision.js";
import { runInProcess } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { buildPmArchive, pmMeta, pmMetaText, type PmArchive } from "../helpers/pm-archive.js";
import { startExtraServer, type ExtraServer } from "../helpers/servers.js";
import { expectWorldUnchanged, worldSnapshot } from "../helpers/world.js";

// Every pmadmin run of this file puts its temp files here (this file runs in its own process).
const privateTmp = await mkdtemp(path.join(tmpdir(), "hostile-sql-tmp-"));
const systemTmp = tmpdir();
process.env["TMPDIR"] = privateTmp;

let server: ExtraServer;
let install: TestInstall;
let source: ProvisionedWorkspace;
let victim: ProvisionedWorkspace;
let outside: string;
let admin: Db;
let n = 0;

beforeAll(async () => {
  process.env["TMPDIR"] = systemTmp;
  server = await startExtraServer();
  install = await createTestInstall({ admin: server.admin, workspaces: 0 });
  process.env["TMPDIR"] = privateTmp;
  source = await install.addWorkspace({ name: "source", cases: 3 });
  victim = await install.addWorkspace({ name: "victim", cases: 3 });
  // pmadmin's own bookkeeping directories, as the first restore would create them.
  await mkdir(path.join(install.sharedDir, ".pmadmin-journal"), { mode: 0o700 });
  await mkdir(path.join(install.sharedDir, ".pmadmin-locks"), { mode: 0o755 });
  outside = path.join(install.root, "outside");
  await mkdir(outside, { mode: 0o777 });
  admin = await connect(server.admin);
  await admin.execute("CREATE DATABASE other_db");
  await admin.execute("CREATE TABLE other_db.secret (id INT PRIMARY KEY, s VARCHAR(40))");
  await admin.execute("INSERT INTO other_db.secret VALUES (1, 'the crown jewels')");
  await admin.execute("CREATE USER 'bystander'@'%' IDENTIFIED BY 'Bystander-pw-1'");
  await admin.execute("GRANT SELECT ON other_db.* TO 'bystander'@'%'");
});
afterAll(async () => {
  await admin?.close();
  await install?.cleanup();
  await server?.stop();
  await rm(privateTmp, { recursive: true, force: true });
});

const sitesDir = (): string => path.join(install.sharedDir, "sites");

function snapshot(o: { databases?: string[]; accounts?: string[]; sites?: string[] } = {}) {
  return worldSnapshot(server.admin, {
    targetDatabases: o.databases ?? [],
    targetAccounts: o.accounts ?? [],
    roots: [install.root],
    skipPaths: (o.sites ?? []).map((s) => path.join(sitesDir(), s)),
    tmpDir: privateTmp,
  });
}

async function archiveWith(
  ws: ProvisionedWorkspace,
  mutate: (tree: string) => Promise<void>,
): Promise<PmArchive> {
  return buildPmArchive(ws, { server: server.admin, mutate });
}

const appendSql = (ws: ProvisionedWorkspace, sql: string) => (tree: string) =>
  appendFile(path.join(tree, `${ws.database}.sql`), `\n${sql}\n`);

async function restore(args: string[]) {
  return runInProcess(["workspace-restore", "--json", "--yes", ...args], { env: install.env() });
}

async function accountGrants(user: string): Promise<string[]> {
  const hosts = await admin.query<{ Host: string }>("SELECT Host FROM mysql.user WHERE User = ?", [
    user,
  ]);
  const out: string[] = [];
  for (const { Host } of hosts) {
    const rows = await admin.query(`SHOW GRANTS FOR ${ident(user)}@${ident(Host)}`);
    for (const r of rows) out.push(String(Object.values(r)[0]));
  }
  return out;
}

/**
 * A restore under the fresh name `name` that must succeed and change nothing but its own
 * database, the account it created and its site directory. Returns the --json result.
 */
async function expectRestoredAsNew(file: string, name: string): Promise<{ dbUser: string }> {
  const before = await snapshot({ databases: [`wf_${name}`], sites: [name] });
  const r = await restore([file, name]);
  expect(r.exitCode, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as { dbUser: string };
  install.track(`wf_${name}`, doc.dbUser);
  expectWorldUnchanged(
    before,
    await snapshot({ databases: [`wf_${name}`], accounts: [doc.dbUser], sites: [name] }),
  );
  return doc;
}

/** A restore under a fresh name that must fail and change nothing at all. */
async function expectHarmless(sql: string, exit: number, code?: string): Promise<void> {
  const name = `hx${++n}`;
  const a = await archiveWith(source, appendSql(source, sql));
  try {
    const before = await snapshot();
    const r = await restore([a.file, name]);
    expect(r.exitCode, r.stderr).toBe(exit);
    if (code) expect(r.stderr).toContain(code);
    expectWorldUnchanged(before, await snapshot());
    const dbs = await admin.query("SHOW DATABASES LIKE ?", [`wf_${name}`]);
    expect(dbs).toEqual([]);
  } finally {
    await a.cleanup();
  }
}

describe("SQL in the dump runs with no power over anything but the staging database", () => {
  it.each([
    ["a statement after another on the same line", "SELECT 1; DROP DATABASE other_db;"],
    ["a statement after a comment", "/* x */ DROP DATABASE other_db;"],
    ["a qualified DROP TABLE", "DROP TABLE other_db.secret;"],
    ["USE mid-line", "SELECT 1; USE other_db; DELETE FROM secret;"],
    ["a qualified write", "INSERT INTO other_db.secret VALUES (2, 'x');"],
    [
      "the mysql schema",
      "SELECT 1; UPDATE mysql.global_priv SET Priv = '{}' WHERE User = 'bystander';",
    ],
    [
      "CREATE USER and GRANT",
      "CREATE USER 'evil'@'%' IDENTIFIED BY 'x'; GRANT ALL ON *.* TO 'evil'@'%' WITH GRANT OPTION;",
    ],
    ["GRANT to an existing account", "SELECT 1; GRANT ALL ON *.* TO 'bystander'@'%';"],
    ["SET PASSWORD", "SELECT 1; SET PASSWORD FOR 'bystander'@'%' = PASSWORD('owned');"],
    ["SET GLOBAL", "SELECT 1; SET GLOBAL max_connections = 3;"],
    ["a view over another database", "CREATE VIEW v_steal AS SELECT * FROM other_db.secret;"],
  ])("%s: the load fails, the world is unchanged", async (_what, sql) => {
    await expectHarmless(sql, 1, "RESTORE.SQL_FAILED");
  });

  it("SELECT … INTO OUTFILE writes no file", async () => {
    const target = path.join(outside, "outfile.txt");
    await expectHarmless(`SELECT 'pwned' INTO OUTFILE '${target}';`, 1, "RESTORE.SQL_FAILED");
    await expect(readFile(target)).rejects.toThrow();
  });

  it("LOAD DATA LOCAL INFILE reads no file of this host", async () => {
    const secret = path.join(outside, "local-secret.txt");
    await writeFile(secret, "1\thost secret\n");
    await expectHarmless(
      `CREATE TABLE loot (id INT, s VARCHAR(40)); LOAD DATA LOCAL INFILE '${secret}' INTO TABLE loot;`,
      1,
      "RESTORE.SQL_FAILED",
    );
  });

  it("client commands (\\! and system) are not run", async () => {
    const marker = path.join(outside, "shell-ran");
    await expectHarmless(`\\! touch ${marker}\nsystem touch ${marker}`, 1);
    await expect(readFile(marker)).rejects.toThrow();
  });

  it.each([
    [
      "on its own line",
      (dir: string) => `CREATE TABLE t_out (a INT) ENGINE=InnoDB DATA DIRECTORY='${dir}';`,
    ],
    [
      "hidden after an INSERT on its line",
      (dir: string) =>
        `INSERT INTO GROUPWF (GRP_UID) VALUES ('x'); CREATE TABLE t_my (a INT) ENGINE=MyISAM DATA /* y */ DIRECTORY = "${dir}";`,
    ],
    [
      "in an executable comment, mixed case",
      (dir: string) =>
        `/*!40000 CREATE TABLE t_ar (a INT) ENGINE=Aria data /*!50000DiReCtOrY*/'${dir}' */;`,
    ],
  ])("a table with DATA DIRECTORY outside (%s) is refused, no file written", async (_w, sql) => {
    await expectHarmless(sql(outside), 1, "RESTORE.SQL_UNSAFE");
  });

  it.each([
    [
      "a procedure",
      "DELIMITER ;;\nCREATE PROCEDURE p_steal() BEGIN SELECT s FROM other_db.secret; END ;;\nDELIMITER ;",
    ],
    [
      "a trigger",
      "DELIMITER ;;\nCREATE TRIGGER t_steal BEFORE INSERT ON GROUPWF FOR EACH ROW BEGIN DELETE FROM other_db.secret; END ;;\nDELIMITER ;",
    ],
    [
      "an event",
      "CREATE EVENT e_steal ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM `other_db`.`secret`;",
    ],
    [
      "a function reading the mysql schema",
      "DELIMITER ;;\nCREATE FUNCTION f_hash() RETURNS TEXT READS SQL DATA RETURN (SELECT Priv FROM mysql.global_priv LIMIT 1) ;;\nDELIMITER ;",
    ],
  ])("%s that references another schema is refused before the swap (exit 3)", async (_w, sql) => {
    await expectHarmless(sql, 3, "RESTORE.FOREIGN_REFERENCE");
  });

  it("DEFINER=CURRENT_USER and a foreign definer become the workspace's own account", async () => {
    const name = `hx${++n}`;
    const a = await archiveWith(
      source,
      appendSql(
        source,
        [
          "CREATE DEFINER=CURRENT_USER TRIGGER t_cur BEFORE INSERT ON GROUPWF FOR EACH ROW SET NEW.GRP_STATUS = NEW.GRP_STATUS;",
          "CREATE DEFINER=`root`@`localhost` PROCEDURE p_root() SELECT 1;",
        ].join("\n"),
      ),
    );
    try {
      const doc = await expectRestoredAsNew(a.file, name);
      const definers = await admin.query<{ d: string }>(
        "SELECT DEFINER AS d FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? UNION ALL SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? UNION ALL SELECT DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?",
        [`wf_${name}`, `wf_${name}`, `wf_${name}`],
      );
      expect(definers.length).toBeGreaterThan(2);
      for (const d of definers) expect(d.d).toBe(`${doc.dbUser}@localhost`);
      // The account created by the restore holds privileges on its own database only.
      const grants = await accountGrants(doc.dbUser);
      expect(grants.length).toBeGreaterThan(0);
      for (const g of grants) {
        // A grant's database is a LIKE pattern: pmadmin escapes its `_` so it names one database.
        expect(g).toMatch(
          new RegExp(`^GRANT (USAGE ON \\*\\.\\*|ALL PRIVILEGES ON \`wf\\\\_${name}\`\\.\\*) TO`),
        );
        expect(g).not.toMatch(/WITH GRANT OPTION/);
      }
    } finally {
      await a.cleanup();
    }
  });
});

/** An archive of `ws` whose meta (and dump entry name) claim `fake` is its database. */
function fakeMeta(
  ws: ProvisionedWorkspace,
  o: { database?: string; user?: string; password?: string },
): (tree: string) => Promise<void> {
  return async (tree) => {
    const meta = pmMeta(ws, { server: server.admin });
    const db = o.database ?? ws.database;
    const user = o.user ?? ws.dbUser;
    const pass = o.password ?? ws.dbPassword;
    for (const k of ["DB_NAME", "DB_RBAC_NAME", "DB_REPORT_NAME", "DATABASE_NAME"]) meta[k] = db;
    for (const k of ["DB_USER", "DB_RBAC_USER", "DB_REPORT_USER"]) meta[k] = user;
    for (const k of ["DB_PASS", "DB_RBAC_PASS", "DB_REPORT_PASS"]) meta[k] = pass;
    meta["databases"] = [{ adapter: "mysql", name: db, host: "x", user, pass, dsn: "" }];
    await writeFile(path.join(tree, `${ws.name}.meta`), pmMetaText(meta));
    if (db !== ws.database)
      await rename(path.join(tree, `${ws.database}.sql`), path.join(tree, `${db}.sql`));
  };
}

describe("what is created or replaced is decided by pmadmin, never by <ws>.meta", () => {
  it.each([
    ["an unrelated database", "other_db"],
    ["another workspace's database", "wf_victim"],
    ["the mysql schema", "mysql"],
  ])("a meta naming %s: -o replaces only the live workspace's own database", async (_w, fake) => {
    const a = await archiveWith(source, fakeMeta(source, { database: fake }));
    try {
      const before = await snapshot({ databases: [source.database], sites: [source.name] });
      const r = await restore(["-o", a.file]);
      expect(r.exitCode, r.stderr).toBe(0);
      expectWorldUnchanged(
        before,
        await snapshot({ databases: [source.database], sites: [source.name] }),
      );
      const ws = parseDbPhp(await readFile(path.join(sitesDir(), "source", "db.php"), "utf8"));
      expect(ws.wf.name).toBe(source.database);
      expect(ws.wf.user).toBe(source.dbUser);
      const [row] = await admin.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM ${ident(source.database)}.APPLICATION`,
      );
      expect(Number(row?.n)).toBe(3);
    } finally {
      await a.cleanup();
    }
  });

  it.each([
    ["root", "root"],
    ["an empty user", ""],
    ["an existing other account", "bystander"],
  ])("a meta with DB_USER %s creates no such account (new workspace)", async (_w, user) => {
    const name = `hx${++n}`;
    const a = await archiveWith(source, fakeMeta(source, { user, password: "from-archive" }));
    try {
      const doc = await expectRestoredAsNew(a.file, name);
      expect(doc.dbUser).toMatch(/^wf_[0-9a-f]{13}$/);
    } finally {
      await a.cleanup();
    }
  });

  it("a meta of a workspace named like another restores into wf_<target>, never the meta's name", async () => {
    const name = `hx${++n}`;
    const a = await archiveWith(source, fakeMeta(source, { database: "wf_victim" }));
    try {
      await expectRestoredAsNew(a.file, name);
    } finally {
      await a.cleanup();
    }
  });

  async function withLiveDbPhp(
    change: (text: string) => string,
    body: () => Promise<void>,
  ): Promise<void> {
    const file = path.join(sitesDir(), "source", "db.php");
    const original = await readFile(file, "utf8");
    await writeFile(file, change(original));
    try {
      await body();
    } finally {
      await writeFile(file, original);
    }
  }

  it.each([
    ["another workspace's database", (t: string) => t.replaceAll(source.database, victim.database)],
    ["the mysql schema", (t: string) => t.replaceAll(source.database, "mysql")],
    ["the root account", (t: string) => t.replaceAll(source.dbUser, "root")],
    ["an empty account", (t: string) => t.replaceAll(source.dbUser, "")],
  ])("-o over a workspace whose db.php names %s is refused (exit 3)", async (_w, change) => {
    const a = await archiveWith(source, () => Promise.resolve());
    try {
      await withLiveDbPhp(change, async () => {
        const before = await snapshot();
        const r = await restore(["-o", a.file]);
        expect(r.exitCode, r.stderr).toBe(3);
        expect(r.stderr).toMatch(/RESTORE\.(FOREIGN_DATABASE|UNSAFE_ACCOUNT)/);
        expectWorldUnchanged(before, await snapshot());
      });
    } finally {
      await a.cleanup();
    }
  });
});

describe("everything the dump holds arrives", () => {
  it("procedures, functions and events round-trip through backup and restore -o", async () => {
    const ws = await install.addWorkspace({ name: "routines", cases: 2 });
    const q = (sql: string) => admin.execute(sql);
    // Defined by the workspace's own account, as a workspace's routines are: the backup reads them
    // as that account, and MariaDB shows a routine's body only to its definer (or a global grant).
    const own = `DEFINER=${ident(ws.dbUser)}@'localhost'`;
    await q(
      `CREATE ${own} PROCEDURE ${ident(ws.database)}.p_count(OUT n INT) SELECT COUNT(*) INTO n FROM APPLICATION`,
    );
    await q(
      `CREATE ${own} FUNCTION ${ident(ws.database)}.f_twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2`,
    );
    await q(
      `CREATE ${own} EVENT ${ident(ws.database)}.e_tidy ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM APP_CACHE_VIEW WHERE 1 = 0`,
    );
    const out = path.join(install.root, "routines.tar");
    const b = await runInProcess(["workspace-backup", "routines", out], { env: install.env() });
    expect(b.exitCode, b.stderr).toBe(0);
    const objects = async (database: string) =>
      (
        await admin.query<{ k: string }>(
          "SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME, ' ', DEFINER) AS k FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? UNION ALL SELECT CONCAT('EVENT ', EVENT_NAME, ' ', DEFINER, ' ', STATUS) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY 1",
          [database, database],
        )
      ).map((r) => r.k);
    const wanted = await objects(ws.database);
    expect(wanted).toHaveLength(3);
    // Replace them with something else, then restore over it: the backup's set comes back.
    await q(`DROP PROCEDURE ${ident(ws.database)}.p_count`);
    await q(`CREATE PROCEDURE ${ident(ws.database)}.p_stray() SELECT 1`);
    const r = await restore(["-o", out]);
    expect(r.exitCode, r.stderr).toBe(0);
    const got = await objects(ws.database);
    expect(got).toEqual(wanted.map((k) => k.replace(/ \S+@\S+/, ` ${ws.dbUser}@localhost`)));
    const [row] = await admin.query<{ v: number }>(`SELECT ${ident(ws.database)}.f_twice(21) AS v`);
    expect(Number(row?.v)).toBe(42);
    // And under a new name: the routines live in the new database, owned by its new account.
    const name = `hx${++n}`;
    const r2 = await restore([out, name]);
    expect(r2.exitCode, r2.stderr).toBe(0);
    const doc = JSON.parse(r2.stdout) as { dbUser: string };
    install.track(`wf_${name}`, doc.dbUser);
    expect(await objects(`wf_${name}`)).toEqual(
      wanted.map((k) => k.replace(/ \S+@\S+/, ` ${doc.dbUser}@localhost`)),
    );
  });
});
