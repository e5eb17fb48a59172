// The two text checks behind the loading account: schemas a stored object names, and a table's
// DATA/INDEX DIRECTORY option anywhere in the dump's bytes (the lexer's modes cannot hide it).
import { describe, expect, it } from "vitest";
import { findDirectoryOption } from "../../src/restore/sql-directory.js";
import { foreignSchemas, qualifiers } from "../../src/restore/sql-references.js";

describe("qualifiers and foreignSchemas", () => {
  it("finds qualified names outside strings and comments, inside executable comments", () => {
    expect(qualifiers("SELECT `a``b`.t, c . d FROM x.y WHERE s = 'q.r' -- z.w\n")).toEqual([
      "a`b",
      "c",
      "x",
    ]);
    expect(qualifiers("/* m.n */ /*!50001 SELECT * FROM other.t */")).toEqual(["other"]);
    expect(qualifiers("SET NEW.APP_STATUS = OLD.APP_STATUS")).toEqual(["NEW", "OLD"]);
    expect(qualifiers("SELECT \"a.b\", 'it''s.x' FROM t")).toEqual([]);
  });

  it("flags schemas on the server and system schemas, never the allowed ones", () => {
    const server = ["wf_stage", "other_db", "wf_live"];
    const allowed = ["wf_stage", "wf_live"];
    expect(foreignSchemas("SELECT * FROM `wf_stage`.`T`", allowed, server)).toEqual([]);
    expect(foreignSchemas("DELETE FROM other_db.secret", allowed, server)).toEqual(["other_db"]);
    expect(foreignSchemas("SELECT Priv FROM MySQL.global_priv", allowed, server)).toEqual([
      "MySQL",
    ]);
    expect(foreignSchemas("SELECT * FROM OTHER_DB.t", allowed, server)).toEqual(["OTHER_DB"]);
    expect(foreignSchemas("SET NEW.x = 1", allowed, server)).toEqual([]);
    expect(foreignSchemas("SELECT 1 FROM gone.t", allowed, server)).toEqual([]);
    // `--` without a blank after it is two minus signs, not a comment: nothing hides behind it.
    expect(
      foreignSchemas("SET @x = 1 --1 + (SELECT COUNT(*) FROM other_db.t)", allowed, server),
    ).toEqual(["other_db"]);
    expect(foreignSchemas("SET @x = 1 -- other_db.t\n", allowed, server)).toEqual([]);
  });
});

describe("findDirectoryOption", () => {
  const hit = (s: string): boolean => findDirectoryOption(Buffer.from(s, "latin1")) !== -1;

  it.each([
    "CREATE TABLE t (a INT) DATA DIRECTORY='/tmp/x';",
    'CREATE TABLE t (a INT) data directory = "/tmp/x";',
    "CREATE TABLE t (a INT) INDEX DIRECTORY '/x' ENGINE=MyISAM;",
    "CREATE TABLE t (a INT) DATA /* pad */ DiReCtOrY/* */=/**/'/x';",
    "/*!40000 CREATE TABLE t (a INT) DATA /*!50000DIRECTORY*/'/x' */;",
    "INSERT INTO t VALUES ('a'); CREATE TABLE u (a INT) DATA DIRECTORY='C:/x';",
    "CREATE TABLE t (a INT) PARTITION BY HASH(a) (PARTITION p0 DATA DIRECTORY = '\\\\srv');",
    "CREATE TABLE t (a INT) DATA DIRECTORY -- comment\n = '/x';",
    "CREATE TABLE t (a INT) DATA DIRECTORY\n",
  ])("finds %j", (sql) => {
    expect(hit(sql)).toBe(true);
  });

  it.each([
    "INSERT INTO t VALUES ('the data directory','/var/lib'),('x');",
    "INSERT INTO t VALUES ('set data directory = \\'/x\\' in my.cnf');",
    'INSERT INTO t VALUES ("data directory \\"/x\\"");',
    "CREATE TABLE t (`directory` VARCHAR(9) DEFAULT '/x', dir_directory INT);",
    "SET NEW.directory = '/x';",
    "INSERT INTO t VALUES ('subdirectory'),('directory'),('DIRECTORY=');",
  ])("leaves %j alone", (sql) => {
    expect(hit(sql)).toBe(false);
  });
});
