// `check-integrity [WORKSPACE...]` (alias `database-verify-consistency`): storage, references,
// RBAC, document files and the admin's due date, reported by check (cli-contract.md). Read-only.
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import { collectWorkspace, namedWorkspaces } from "../cli/workspace-option.js";
import { loadWorkspace, resolveWorkspaces } from "../install/installation.js";
import { CHECKS } from "../integrity/catalog.js";
import { exitCodeFor, jsonDocument, renderReport } from "../integrity/report.js";
import { checkWorkspace } from "../integrity/run.js";
import { selectChecks } from "../integrity/select.js";
import type { WorkspaceReport } from "../integrity/types.js";

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(",").filter((v) => v.trim() !== "")];
}

export function registerCheckIntegrity(program: Command, bind: Binder): void {
  program
    .command("check-integrity")
    .alias("database-verify-consistency")
    .description(
      "find damage in workspaces: storage, broken references, RBAC, missing document files, admin expiry (read-only)",
    )
    .argument("[workspace...]", "workspaces to check (all when none named)")
    .option(
      "-w, --workspace <ws>",
      "a workspace (repeatable; same as naming it as an argument)",
      collectWorkspace,
    )
    .option("--check <id>", "run only this check or area (repeatable; see --list)", collect)
    .option("--list", "list the checks with their ids and severities, and exit")
    .action(bind(checkIntegrityCommand));
}

function listChecks(ctx: Ctx): number {
  ctx.out.document({ ok: true, checks: CHECKS.map((c) => ({ ...c, optIn: c.optIn === true })) });
  for (const c of CHECKS) {
    const sev = c.severity === "error" ? "error  " : "warning";
    ctx.out.line(`${c.id.padEnd(34)} ${sev} ${c.title}${c.optIn ? " [only with --check]" : ""}`);
  }
  return 0;
}

async function checkIntegrityCommand(ctx: Ctx, cmd: Command): Promise<number> {
  const o = cmd.opts<{ check?: string[]; list?: boolean }>();
  if (o.list === true) return listChecks(ctx);
  const checks = selectChecks(o.check ?? []);
  const inst = await ctx.installation();
  const workspaces = await resolveWorkspaces(inst, namedWorkspaces(cmd));
  const reports: WorkspaceReport[] = [];
  for (const ws of workspaces) {
    ctx.out.info(`checking workspace ${ws.name} (${checks.length} checks)`);
    // Never a report of a half-swapped workspace (a restore -o running alongside).
    reports.push(
      await ctx.readWhole(async () =>
        // db.php read again: a swap that happened meanwhile may have replaced it.
        checkWorkspace(await loadWorkspace(inst, ws.name), checks, {
          env: ctx.rt.env,
          now: ctx.rt.now(),
          signal: ctx.rt.signal,
          onCheck: (_ws, id, ms) => ctx.out.verbose(`  ${id} ${ms} ms`),
        }),
      ),
    );
  }
  ctx.out.document(jsonDocument(reports));
  for (const line of renderReport(reports, ctx.out.c, ctx.out.isVerbose)) ctx.out.line(line);
  for (const r of reports)
    if (r.error !== null) ctx.out.warn(`workspace ${r.workspace}: ${r.error}`);
  return exitCodeFor(reports);
}
