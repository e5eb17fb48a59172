// What `workspace-restore` prints: the archive (-i), the plan (--dry-run), the result, and the
// question before an existing workspace is replaced. Text on stdout, one --json document.
import { formatBytes } from "../fsx/walk.js";
import { formatCounts, type FileCounts } from "../fsx/counts.js";
import type { ArchiveDescription } from "../restore/describe.js";
import type { RestorePlan } from "../restore/plan.js";
import type { RestoreResult } from "../restore/run.js";
import { labelRows, type Output } from "../ui/output.js";

export function renderArchiveInfo(out: Output, d: ArchiveDescription): void {
  out.document({ ok: true, ...d });
  out.line(
    `Found ${d.workspaces.length} workspace(s) in ${d.file} (${formatBytes(d.bytes)}${d.compressed ? ", gzip" : ""}; checksums ${d.checksums === "verified" ? `verified for ${d.entriesVerified} entries` : "absent (not a pmadmin backup)"})`,
  );
  for (const w of d.workspaces) {
    out.line();
    const rows = labelRows([
      ["Workspace Name", w.name],
      ["ProcessMaker Version", w.pmVersion ?? "unknown"],
      ["System", `${w.system ?? "unknown"}${w.platform ? ` [${w.platform}]` : ""}`],
      ["Database Server", w.database ?? "unknown"],
      ["Databases", w.databases.map((x) => `${x.name} (${formatBytes(x.bytes)} dump)`).join(", ")],
      ["Files", formatCounts(w.files)],
      ["Backup Engine", String(w.engine)],
    ]);
    for (const row of rows) out.line(row);
  }
}

export function renderDryRun(out: Output, plan: RestorePlan): void {
  out.document({
    ok: true,
    dryRun: true,
    source: plan.layout.name,
    workspace: plan.target,
    replacing: plan.replacing,
    renaming: plan.renaming,
    databases: plan.databases.map((d) => ({
      source: d.source,
      target: d.target,
      dumpBytes: d.sqlBytes,
    })),
    files: plan.files,
    checksumsVerified: plan.manifest.verified,
    warnings: plan.warnings,
  });
  out.line(
    `Would restore '${plan.layout.name}' as '${plan.target}'${plan.replacing ? " replacing the existing workspace" : ""}:`,
  );
  for (const d of plan.databases)
    out.line(`  load ${d.source} (${formatBytes(d.sqlBytes)}) into ${d.target}`);
  out.line(`  ${formatCounts(plan.files)} into sites/${plan.target}/`);
  out.line(
    plan.account.kind === "live"
      ? `  the workspace's database user ${plan.account.user} (from its db.php)`
      : "  a new database user with a new password",
  );
  out.line("Nothing was changed.");
}

/** Warnings about the result (on stderr), then the document and the text. */
export function renderRestored(out: Output, plan: RestorePlan, r: RestoreResult): void {
  if (r.ownershipFailed.length > 0)
    out.warn(
      `${r.ownershipFailed.length} file(s) kept pmadmin's owner (could not set the shared directory's owner/group), e.g. ${r.ownershipFailed.slice(0, 3).join(", ")}`,
    );
  if (!r.credentialsConnect)
    out.warn(
      plan.account.kind === "live"
        ? `the restored db.php credentials (user ${r.dbUser}, kept from the replaced workspace) do not connect; check the account and its password (ALTER USER … IDENTIFIED BY …)`
        : `the restored db.php credentials (user ${r.dbUser}) do not connect; check that the server accepts this account from the host in DB_HOST`,
    );
  const { credentialsConnect: _, ...doc } = r;
  out.document({
    ok: true,
    source: plan.layout.name,
    ...doc,
    ownershipFailed: r.ownershipFailed.slice(0, 100),
    warnings: plan.warnings,
  });
  out.line(
    `Restored workspace '${plan.layout.name}' as '${r.workspace}'${r.replaced ? " (replaced the existing one)" : ""}:`,
  );
  for (const d of r.databases)
    out.line(`  database ${d.source} → ${d.target} (${d.tables} tables)`);
  out.line(`  ${formatCounts(r.files)}; database user ${r.dbUser}${r.newUser ? " (created)" : ""}`);
  if (r.definersRewritten > 0)
    out.line(`  ${r.definersRewritten} trigger/view/routine/event definer(s) set to ${r.dbUser}`);
}

/** The question before -o replaces a workspace: what is about to go. */
export function replaceQuestion(
  target: string,
  live: { cases: number | undefined; bytes: number | undefined; lastChange: string | undefined },
  files: FileCounts,
): string {
  const what = `workspace '${target}': ${live.cases ?? "unknown"} cases, database ${formatBytes(live.bytes ?? 0)}, ${formatCounts(files)}, last change ${live.lastChange ?? "unknown"}`;
  return `Replace ${what} with the backup?`;
}
