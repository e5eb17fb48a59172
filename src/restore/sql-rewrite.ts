// The dump on its way to the mariadb client. Works on bytes, line by line, so binary data in
// INSERT lines passes through untouched (ProcessMaker's regex over the whole file damages data
// that contains "DEFINER=", processmaker-3.md §8.22). Outside data it:
//   - rewrites DEFINER=… in CREATE statements (triggers, views, routines, events) to the loading
//     account (CURRENT_USER): the loader may not create objects for anyone else; the captured
//     objects get the workspace's own account before they are swapped in (db-objects.ts);
//   - turns engine-1 `) TYPE=InnoDB` into `) ENGINE=InnoDB DEFAULT CHARSET=utf8` as ProcessMaker does;
//   - drops MySQL's replication bookkeeping (`SET @@SESSION.SQL_LOG_BIN`, `SET @@GLOBAL.GTID_PURGED`,
//     written by mysqldump on GTID servers), which needs privileges the loader rightly lacks;
//   - refuses USE/CREATE DATABASE/DROP DATABASE at a line's start.
// This filter is defence in depth only: a statement later on a line or after a comment passes it.
// The wall is the loading account, which can touch the staging database and nothing else.
import { Transform, type TransformCallback } from "node:stream";
import { failure } from "../errors.js";
import { findDirectoryOption } from "./sql-directory.js";

const DATA = /^(INSERT|REPLACE)\s/i;
const CREATE = /^\s*(\/\*!\d*\s*)?CREATE\b/i;
const UNSAFE = /^\s*(\/\*!\d*\s*)?(USE\s|CREATE\s+(DATABASE|SCHEMA)\b|DROP\s+(DATABASE|SCHEMA)\b)/i;
const ACCOUNT_PART = "(?:`(?:[^`]|``)*`|'(?:[^']|'')*'|\"[^\"]*\"|[A-Za-z0-9_.$%-]+)";
/** Session/global replication settings of mysqldump on GTID servers (MySQL 5.6+). */
const REPLICATION =
  /^\s*(\/\*!\d*\s*)?SET\s+(@@(SESSION\.|GLOBAL\.)?(SQL_LOG_BIN|GTID_PURGED)\b|@MYSQLDUMP_TEMP_LOG_BIN\b)/i;
const DEFINER = new RegExp(`DEFINER\\s*=\\s*${ACCOUNT_PART}\\s*@\\s*${ACCOUNT_PART}`, "gi");

function endsStatement(buf: Buffer): boolean {
  let i = buf.length - 1;
  while (i >= 0 && (buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x20 || buf[i] === 0x09)) i--;
  return i >= 0 && buf[i] === 0x3b;
}

export interface RewriteOptions {
  /** The definer to write, e.g. CURRENT_USER or a quoted account `wf_abc`@`localhost`. */
  definer: string;
  engine: number;
}

export class SqlRewrite extends Transform {
  definersRewritten = 0;
  private rest: Buffer = Buffer.alloc(0);
  private inCreate = false;
  /** Inside an INSERT: newer mariadb-dump writes one row per line, the statement ends at ';'. */
  private inData = false;
  /** Inside a dropped replication statement (GTID_PURGED may span lines). */
  private skipping = false;
  private started = false;

  constructor(private readonly o: RewriteOptions) {
    super();
  }

  private prologue(): string {
    const lines = [
      "SET SESSION sql_mode='NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION';",
      "SET FOREIGN_KEY_CHECKS=0;",
    ];
    // Engine 1 writes one INSERT per row: one transaction instead of one per row (as ProcessMaker).
    if (this.o.engine === 1) lines.push("SET unique_checks=0;", "SET AUTOCOMMIT=0;");
    return `${lines.join("\n")}\n`;
  }

  private line(buf: Buffer): Buffer {
    if (
      this.skipping ||
      (!this.inData && REPLICATION.test(buf.subarray(0, 64).toString("latin1")))
    ) {
      this.skipping = !endsStatement(buf);
      return Buffer.alloc(0);
    }
    const head = buf.subarray(0, 16).toString("latin1");
    if (this.inData || DATA.test(head)) {
      this.inCreate = false;
      this.inData = !endsStatement(buf);
      return buf;
    }
    let text = buf.toString("latin1");
    if (UNSAFE.test(text)) {
      throw failure(
        "RESTORE.SQL_UNSAFE",
        `The dump contains '${text.trim().slice(0, 60)}', which would touch another database; nothing was swapped in.`,
        {
          hint: "Dumps for restore must be of one database without USE or CREATE DATABASE (mysqldump without --databases).",
        },
      );
    }
    if (CREATE.test(text)) this.inCreate = true;
    if (this.inCreate && /DEFINER/i.test(text)) {
      text = text.replace(DEFINER, () => {
        this.definersRewritten += 1;
        return `DEFINER=${this.o.definer}`;
      });
    }
    text = text
      .replace(/\)\s*TYPE\s*=\s*InnoDB/gi, ") ENGINE=InnoDB DEFAULT CHARSET=utf8")
      .replace(/\)\s*TYPE\s*=\s*MyISAM/gi, ") ENGINE=MyISAM");
    if (/;\s*$/.test(text)) this.inCreate = false;
    return Buffer.from(text, "latin1");
  }

  /** Every byte, data lines included (see sql-directory.ts). */
  private refuseDirectoryOption(buf: Buffer): void {
    const at = findDirectoryOption(buf);
    if (at === -1) return;
    const context = buf
      .subarray(Math.max(0, at - 30), at + 40)
      .toString("latin1")
      .replace(/\s+/g, " ")
      .trim();
    throw failure(
      "RESTORE.SQL_UNSAFE",
      `The dump asks the server to put table files in a directory of its choice ('…${context}…'); nothing was swapped in.`,
      {
        hint: "DATA DIRECTORY / INDEX DIRECTORY options are never restored. Remove them from the dump, or restore a backup made by pmadmin or ProcessMaker.",
      },
    );
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      if (!this.started) {
        this.started = true;
        this.push(this.prologue());
      }
      let data = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
      const out: Buffer[] = [];
      let nl = data.indexOf(0x0a);
      while (nl !== -1) {
        out.push(this.line(data.subarray(0, nl + 1)));
        data = data.subarray(nl + 1);
        nl = data.indexOf(0x0a);
      }
      this.rest = Buffer.from(data);
      if (out.length > 0) {
        const lines = Buffer.concat(out);
        this.refuseDirectoryOption(lines);
        this.push(lines);
      }
      cb();
    } catch (error) {
      cb(error as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      if (!this.started) this.push(this.prologue());
      if (this.rest.length > 0) {
        const last = this.line(this.rest);
        this.refuseDirectoryOption(last);
        this.push(last);
      }
      this.push(this.o.engine === 1 ? "\nCOMMIT;\n" : "\n");
      cb();
    } catch (error) {
      cb(error as Error);
    }
  }
}
