// The shapes every integrity check shares: a definition (what it looks for, how bad, what to do)
// and a result (how many, a few examples). Plain data so the report can be built without a database.

export type Severity = "error" | "warning";
export type CheckArea = "storage" | "references" | "rbac" | "files" | "admin";

/** ok: nothing found; problems: findings; skipped: a table it needs is missing; failed: could not run. */
export type CheckStatus = "ok" | "problems" | "skipped" | "failed";

export interface CheckDef {
  /** Stable id, `<area>.<name>`: scripts match on it; never rename one. */
  id: string;
  area: CheckArea;
  severity: Severity;
  /** What is wrong, phrased for the problem case ("cases list rows whose user is missing"). */
  title: string;
  /** What to do about it. */
  fix: string;
  /** Tables the check reads; when one is missing the check is skipped (storage reports it). */
  tables: readonly string[];
  /** Runs only when named with --check (informational checks that are noisy on partial schemas). */
  optIn?: boolean;
}

/** One offending row or file, as column → value (rendered `KEY=value` in text). */
export type Example = Readonly<Record<string, string | number | null>>;

export const MAX_EXAMPLES = 10;

export interface CheckResult {
  id: string;
  area: CheckArea;
  severity: Severity;
  title: string;
  fix: string;
  status: CheckStatus;
  count: number;
  examples: Example[];
  /** Why the check was skipped or failed. */
  reason?: string;
}

export interface WorkspaceReport {
  workspace: string;
  database: string;
  /** Set when the workspace could not be checked at all (e.g. its database is unreachable). */
  error: string | null;
  checks: CheckResult[];
}

/** What a check's runner produces before the definition's metadata is attached. */
export interface Finding {
  count: number;
  examples: Example[];
}
