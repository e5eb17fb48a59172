// storage.check-table: CHECK TABLE on every table and view, one at a time, as mariadb-check does.
// CHECK TABLE holds a read lock on the one table it checks, so writers to that table wait for it;
// the session's lock_wait_timeout is kept short so pmadmin gives up on a busy table rather than
// queueing ProcessMaker's writers behind its own waiting lock request.
import { ident } from "../db/sql-text.js";
import type { Queryable } from "../db/types.js";
import { MAX_EXAMPLES, type Example, type Finding } from "./types.js";

export interface TableInfo {
  name: string;
  /** information_schema TABLE_TYPE: "BASE TABLE", "VIEW", "SYSTEM VERSIONED", "SEQUENCE". */
  type: string;
}

export async function listTables(db: Queryable): Promise<TableInfo[]> {
  const rows = await db.query<{ name: string; type: string }>(
    "SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME",
  );
  return rows.map((r) => ({ name: String(r.name), type: String(r.type) }));
}

interface CheckRow {
  Table: string;
  Op: string;
  Msg_type: string;
  Msg_text: string;
}

const FINE = new Set(["OK", "Table is already up to date"]);

/** The messages of one CHECK TABLE run that indicate a problem (empty when the table is fine). */
export function problemMessages(rows: readonly CheckRow[]): CheckRow[] {
  return rows.filter((r) => {
    const type = r.Msg_type.toLowerCase();
    if (type === "status") return !FINE.has(r.Msg_text);
    // "note" rows say e.g. that an engine does not support CHECK; that is not damage.
    return type === "error" || type === "warning";
  });
}

export interface StorageResult extends Finding {
  /** Tables that could not be checked (busy, no privilege): the check did not fully run. */
  unchecked: string[];
}

export async function checkTables(
  db: Queryable,
  tables: readonly TableInfo[],
  signal?: AbortSignal,
): Promise<StorageResult> {
  const examples: Example[] = [];
  const unchecked: string[] = [];
  let count = 0;
  await db.execute("SET SESSION lock_wait_timeout = 5");
  for (const t of tables) {
    if (signal?.aborted) break;
    let rows: CheckRow[];
    try {
      rows = await db.query<CheckRow & Record<string, unknown>>(`CHECK TABLE ${ident(t.name)}`);
    } catch (error) {
      unchecked.push(`${t.name}: ${(error as Error).message}`);
      continue;
    }
    const bad = problemMessages(rows);
    if (bad.length === 0) continue;
    count += 1;
    if (examples.length < MAX_EXAMPLES) {
      examples.push({
        TABLE: t.name,
        TYPE: t.type,
        MESSAGE: bad.map((r) => `${r.Msg_type}: ${r.Msg_text.replace(/\s+/g, " ")}`).join("; "),
      });
    }
  }
  return { count, examples, unchecked };
}
