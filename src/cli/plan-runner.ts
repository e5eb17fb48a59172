// The last step every changing command shares: print the plan's SQL under --dry-run, otherwise run
// it in one transaction.
import type { Ctx } from "./context.js";
import { applyStatements, renderTransaction, type Statement } from "../db/statement.js";
import type { Db } from "../db/types.js";

export interface PlanOutcome {
  applied: boolean;
  /** The SQL as printed by --dry-run (also put into the --json document of a dry run). */
  sql: string[];
}

export async function runPlan(
  ctx: Ctx,
  db: Db,
  statements: readonly Statement[],
): Promise<PlanOutcome> {
  const sql = statements.length > 0 ? renderTransaction(statements) : [];
  if (ctx.opts.dryRun) {
    for (const line of sql) ctx.out.line(line);
    return { applied: false, sql };
  }
  if (statements.length > 0) {
    ctx.out.verbose(`applying ${statements.length} statement(s) in one transaction`);
    await applyStatements(db, statements);
  }
  return { applied: statements.length > 0, sql };
}
