// A change as data: SQL text with `?` placeholders and its values. The same list is printed by
// --dry-run (values inlined as literals) and executed, in one transaction, by apply.
import { sqlValue, type SqlValue } from "./sql-text.js";
import type { Db } from "./types.js";

export interface Statement {
  sql: string;
  params: readonly SqlValue[];
  /** Shown instead of a value in dry-run text (e.g. a password hash that must not be printed). */
  redact?: ReadonlyMap<number, string>;
}

export function stmt(sql: string, ...params: SqlValue[]): Statement {
  return { sql, params };
}

/** The statement with its values inlined, as a user could paste it into a SQL client. */
export function renderStatement(s: Statement): string {
  let i = 0;
  return `${s.sql.replace(/\?/g, () => {
    const index = i++;
    const shown = s.redact?.get(index);
    return shown ?? sqlValue(s.params[index] ?? null);
  })};`;
}

/** The whole change as one transaction, the way apply runs it. */
export function renderTransaction(statements: readonly Statement[]): string[] {
  return ["START TRANSACTION;", ...statements.map(renderStatement), "COMMIT;"];
}

/**
 * Runs every statement in one transaction; nothing is changed if any of them fails. Returns the
 * rows each statement affected, in order.
 */
export async function applyStatements(db: Db, statements: readonly Statement[]): Promise<number[]> {
  if (statements.length === 0) return [];
  return db.transaction(async (tx) => {
    const counts: number[] = [];
    for (const s of statements) counts.push((await tx.execute(s.sql, s.params)).affectedRows);
    return counts;
  });
}
