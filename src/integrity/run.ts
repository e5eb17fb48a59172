// Running the selected checks against one workspace. Order: CHECK TABLE first (it cannot run
// inside a transaction), then every data check inside one READ ONLY transaction WITH CONSISTENT
// SNAPSHOT, so all of them see the same moment and none takes a row lock (InnoDB plain SELECTs are
// non-locking reads). Nothing is written.
import { errorMessage, throwIfInterrupted } from "../errors.js";
import type { Workspace } from "../install/installation.js";
import { withWorkspaceDb } from "../install/workspace-db.js";
import type { Db, Queryable } from "../db/types.js";
import { ADMIN_USER_UID } from "../rbac/permission-catalog.js";
import { judgeAdmin, localDate, type AdminFindings, type AdminRow } from "./admin.js";
import { ADMIN_WARN_DAYS } from "./catalog.js";
import { DocMatcher, matchDocuments } from "./files-check.js";
import { scanDocumentFiles } from "./files-scan.js";
import { judgeGrants, type Grant, type GrantFindings } from "./rbac-grants.js";
import { countSql, examplesSql, type SqlCheckDef } from "./sql-checks.js";
import { checkTables, listTables } from "./storage.js";
import { REQUIRED_TABLES, STOCK_TABLES, missingTables } from "./tables.js";
import {
  MAX_EXAMPLES,
  type CheckDef,
  type CheckResult,
  type Example,
  type Finding,
  type WorkspaceReport,
} from "./types.js";

export interface RunOptions {
  env: Readonly<Record<string, string | undefined>>;
  now: Date;
  signal: AbortSignal;
  onCheck?: (workspace: string, id: string, ms: number) => void;
}

type Outcome = Finding | { skipped: string } | { failed: string };

function result(def: CheckDef, o: Outcome): CheckResult {
  const base = {
    id: def.id,
    area: def.area,
    severity: def.severity,
    title: def.title,
    fix: def.fix,
  };
  if ("skipped" in o)
    return { ...base, status: "skipped", count: 0, examples: [], reason: o.skipped };
  if ("failed" in o) return { ...base, status: "failed", count: 0, examples: [], reason: o.failed };
  return { ...base, status: o.count > 0 ? "problems" : "ok", count: o.count, examples: o.examples };
}

function tableList(names: readonly string[]): Example[] {
  return names.slice(0, MAX_EXAMPLES).map((t) => ({ TABLE: t }));
}

async function runSql(db: Queryable, def: SqlCheckDef): Promise<Finding> {
  const rows = await db.query<{ n: string | number }>(countSql(def.sql));
  const count = Number(rows[0]?.n ?? 0);
  if (count === 0) return { count, examples: [] };
  const examples = await db.query<Record<string, string | number | null>>(
    examplesSql(def.sql, MAX_EXAMPLES),
  );
  return { count, examples };
}

/** Work shared by several checks (one grants read, one admin read, one disk scan), done once. */
class Shared {
  private grants?: Promise<GrantFindings>;
  private admin?: Promise<AdminFindings>;
  private docs?: Promise<DocMatcher>;
  constructor(
    private readonly db: Queryable,
    private readonly ws: Pick<Workspace, "name" | "siteDir">,
    private readonly o: RunOptions,
  ) {}

  grantFindings(): Promise<GrantFindings> {
    return (this.grants ??= this.db
      .query<{ role: string; permission: string }>(
        `SELECT r.ROL_CODE AS role, p.PER_CODE AS permission FROM RBAC_ROLES_PERMISSIONS rp
           JOIN RBAC_ROLES r ON r.ROL_UID = rp.ROL_UID JOIN RBAC_PERMISSIONS p ON p.PER_UID = rp.PER_UID`,
      )
      .then((rows) =>
        judgeGrants(
          rows.map((r): Grant => ({ role: String(r.role), permission: String(r.permission) })),
        ),
      ));
  }

  adminFindings(): Promise<AdminFindings> {
    return (this.admin ??= this.db
      .query<AdminRow & Record<string, unknown>>(
        "SELECT USR_UID, USR_USERNAME, USR_DUE_DATE FROM RBAC_USERS WHERE USR_UID = ?",
        [ADMIN_USER_UID],
      )
      .then((rows) => judgeAdmin(rows[0], localDate(this.o.now), ADMIN_WARN_DAYS)));
  }

  documents(): Promise<DocMatcher> {
    return (this.docs ??= (async () => {
      const matcher = new DocMatcher(await scanDocumentFiles(this.ws.siteDir, this.o.signal));
      await matchDocuments(this.db, matcher, this.o.signal);
      return matcher;
    })());
  }
}

async function runOne(
  def: CheckDef,
  db: Queryable,
  shared: Shared,
  present: ReadonlySet<string>,
): Promise<Outcome> {
  if ("sql" in def) return runSql(db, def as SqlCheckDef);
  switch (def.id) {
    case "storage.missing-tables":
      return {
        count: missingTables(REQUIRED_TABLES, present).length,
        examples: tableList(missingTables(REQUIRED_TABLES, present)),
      };
    case "storage.missing-stock-tables":
      return {
        count: missingTables(STOCK_TABLES, present).length,
        examples: tableList(missingTables(STOCK_TABLES, present)),
      };
    case "rbac.inert-grant":
      return (await shared.grantFindings()).inert;
    case "rbac.advisory-companion":
      return (await shared.grantFindings()).advisory;
    case "files.missing":
      return (await shared.documents()).missing();
    case "files.orphaned":
      return (await shared.documents()).orphaned();
    case "admin.missing":
      return (await shared.adminFindings()).missing;
    case "admin.expired":
      return (await shared.adminFindings()).expired;
    case "admin.expiring":
      return (await shared.adminFindings()).expiring;
    default:
      return { failed: `no runner for check ${def.id} (a bug in pmadmin)` };
  }
}

/** Runs `checks` on `db` (its default database); `ws.siteDir` is read only by the files checks. */
export async function runChecks(
  db: Db,
  ws: Pick<Workspace, "name" | "siteDir">,
  checks: readonly CheckDef[],
  o: RunOptions,
): Promise<CheckResult[]> {
  const tables = await listTables(db);
  const present = new Set(tables.map((t) => t.name));
  const results = new Map<string, CheckResult>();
  const timed = async (def: CheckDef, fn: () => Promise<Outcome>): Promise<void> => {
    throwIfInterrupted(o.signal);
    const started = Date.now();
    let outcome: Outcome;
    try {
      outcome = await fn();
    } catch (error) {
      outcome = { failed: errorMessage(error) };
    }
    results.set(def.id, result(def, outcome));
    o.onCheck?.(ws.name, def.id, Date.now() - started);
  };

  const storage = checks.find((c) => c.id === "storage.check-table");
  if (storage) {
    await timed(storage, async () => {
      const r = await checkTables(db, tables, o.signal);
      if (r.unchecked.length > 0) {
        return {
          failed: `could not check ${r.unchecked.length} table(s), e.g. ${r.unchecked[0] ?? ""}; run again when the server is less busy`,
        };
      }
      return r;
    });
  }
  await db.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
  try {
    const shared = new Shared(db, ws, o);
    for (const def of checks) {
      if (results.has(def.id)) continue;
      const absent = def.tables.filter((t) => !present.has(t));
      if (absent.length > 0) {
        results.set(
          def.id,
          result(def, {
            skipped: `needs missing table(s) ${absent.join(", ")} (see storage.missing-tables)`,
          }),
        );
        continue;
      }
      await timed(def, () => runOne(def, db, shared, present));
    }
  } finally {
    await db.execute("ROLLBACK").catch(() => undefined);
  }
  return checks.map((c) => results.get(c.id)).filter((r): r is CheckResult => r !== undefined);
}

export async function checkWorkspace(
  ws: Workspace,
  checks: readonly CheckDef[],
  o: RunOptions,
): Promise<WorkspaceReport> {
  const report: WorkspaceReport = {
    workspace: ws.name,
    database: ws.db.wf.name,
    error: null,
    checks: [],
  };
  try {
    report.checks = await withWorkspaceDb(ws, o.env, (db) => runChecks(db, ws, checks, o));
  } catch (error) {
    if (o.signal.aborted) throw error;
    report.error = errorMessage(error);
  }
  return report;
}
