// The dump filter on its way to the client: DEFINER rewritten in CREATE TRIGGER/VIEW statements
// only (never inside INSERT data, even when split across chunks), engine 1's `TYPE=InnoDB`, and
// statements that would touch another database refused.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { isPmError } from "../../src/errors.js";
import { SqlRewrite } from "../../src/restore/sql-rewrite.js";

const DEFINER = "`wf_new`@`localhost`";

async function rewrite(
  input: string | Buffer,
  o: { engine?: number; chunk?: number } = {},
): Promise<{ out: string; count: number }> {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input, "utf8");
  const size = o.chunk ?? buf.length;
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  const t = new SqlRewrite({ definer: DEFINER, engine: o.engine ?? 2 });
  const parts: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from(chunks)
      .pipe(t)
      .on("data", (c: Buffer) => parts.push(Buffer.from(c)))
      .on("end", resolve)
      .on("error", reject);
  });
  return { out: Buffer.concat(parts).toString("utf8"), count: t.definersRewritten };
}

const trigger = [
  "DELIMITER ;;",
  "/*!50003 CREATE*/ /*!50017 DEFINER=`wf_old`@`%`*/ /*!50003 TRIGGER APPLICATION_UPDATE BEFORE UPDATE ON APPLICATION FOR EACH ROW",
  "BEGIN",
  "  SET NEW.APP_UPDATE_DATE = NOW();",
  "END */;;",
  "DELIMITER ;",
].join("\n");
const view =
  "/*!50001 CREATE ALGORITHM=UNDEFINED */\n/*!50013 DEFINER='root'@'localhost' SQL SECURITY DEFINER */\n/*!50001 VIEW `ACTIVE_USERS_VIEW` AS select 1 AS `x` */;\n";
const insertWithDefiner =
  "INSERT INTO `CONTENT` VALUES ('a','DEFINER=`root`@`localhost`'),\n('b','CREATE TRIGGER x DEFINER=`evil`@`%` TYPE=InnoDB');\n";

describe("SqlRewrite", () => {
  it("rewrites the definer of triggers and views to the workspace account", async () => {
    const { out, count } = await rewrite(`${trigger}\n${view}`);
    expect(count).toBe(2);
    expect(out).toContain(`/*!50017 DEFINER=${DEFINER}*/ /*!50003 TRIGGER APPLICATION_UPDATE`);
    expect(out).toContain(`/*!50013 DEFINER=${DEFINER} SQL SECURITY DEFINER */`);
    expect(out).not.toMatch(/wf_old|root/);
  });

  it("rewrites quoted accounts of every style", async () => {
    for (const acct of [
      "`a``b`@`%`",
      "'o''k'@'10.0.0.%'",
      '"u"@"h"',
      "plain@localhost",
      "`u` @ `h`",
    ]) {
      const { out, count } = await rewrite(`CREATE DEFINER=${acct} VIEW v AS SELECT 1;\n`);
      expect(count, acct).toBe(1);
      expect(out).toContain(`CREATE DEFINER=${DEFINER} VIEW v AS SELECT 1;`);
    }
  });

  it("never touches DEFINER= or TYPE=InnoDB inside INSERT data, one-row-per-line inserts included", async () => {
    for (const chunk of [undefined, 1, 7, 64]) {
      const input = `${insertWithDefiner}${trigger}\n`;
      const { out, count } = await rewrite(input, chunk === undefined ? {} : { chunk });
      expect(out, `chunk ${chunk}`).toContain(insertWithDefiner);
      expect(count).toBe(1);
    }
  });

  it("passes binary data in INSERT lines through byte for byte", async () => {
    const blob = Buffer.from([
      0x49, 0x4e, 0x53, 0x45, 0x52, 0x54, 0x20, 0x49, 0x4e, 0x54, 0x4f, 0x20, 0x74, 0x20, 0x56,
      0x41, 0x4c, 0x55, 0x45, 0x53, 0x20, 0x28, 0x27, 0xff, 0xfe, 0x00, 0x80, 0xc3, 0x27, 0x29,
      0x3b, 0x0a,
    ]);
    const t = new SqlRewrite({ definer: DEFINER, engine: 2 });
    const parts: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      Readable.from([blob.subarray(0, 5), blob.subarray(5)])
        .pipe(t)
        .on("data", (c: Buffer) => parts.push(Buffer.from(c)))
        .on("end", resolve)
        .on("error", reject);
    });
    expect(Buffer.concat(parts).includes(blob)).toBe(true);
  });

  it("turns engine 1's TYPE=InnoDB into ENGINE=InnoDB and wraps engine 1 in one transaction", async () => {
    const ddl =
      "CREATE TABLE `APPLICATION` (\n  `APP_UID` varchar(32) NOT NULL\n) TYPE=InnoDB;\nINSERT INTO `APPLICATION` VALUES ('x) TYPE=InnoDB');\n";
    const { out } = await rewrite(ddl, { engine: 1 });
    expect(out).toContain(") ENGINE=InnoDB DEFAULT CHARSET=utf8;");
    expect(out).toContain("VALUES ('x) TYPE=InnoDB');");
    expect(out).toMatch(
      /^SET SESSION sql_mode=.*\nSET FOREIGN_KEY_CHECKS=0;\nSET unique_checks=0;\nSET AUTOCOMMIT=0;\n/,
    );
    expect(out.trimEnd().endsWith("COMMIT;")).toBe(true);
    const two = await rewrite(ddl, { engine: 2 });
    expect(two.out).not.toContain("AUTOCOMMIT");
    expect(two.out).not.toContain("COMMIT;");
  });

  it("refuses USE, CREATE DATABASE and DROP DATABASE", async () => {
    for (const stmt of [
      "USE `other`;",
      "CREATE DATABASE `x`;",
      "/*!40000 DROP DATABASE IF EXISTS `x`*/;",
      "create schema y;",
    ]) {
      const err = await rewrite(`${stmt}\n`).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isPmError(err) && err.code, stmt).toBe("RESTORE.SQL_UNSAFE");
    }
  });

  it("leaves the last line without a newline intact", async () => {
    const { out } = await rewrite("CREATE DEFINER=`x`@`y` VIEW v AS SELECT 1;");
    expect(out).toContain(`CREATE DEFINER=${DEFINER} VIEW v AS SELECT 1;`);
  });
});
