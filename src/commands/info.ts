// `info [WORKSPACE...]`: the system block and one block per workspace (cli-contract.md).
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import { formatCounts } from "../fsx/counts.js";
import { collectWorkspace, namedWorkspaces } from "../cli/workspace-option.js";
import { ExitCode } from "../errors.js";
import { loadWorkspace, resolveWorkspaces } from "../install/installation.js";
import {
  adminServerVersion,
  systemInfo,
  workspaceInfo,
  type WorkspaceInfo,
} from "../info/collect.js";
import { formatBytes } from "../fsx/walk.js";
import { labelRows } from "../ui/output.js";

export function registerInfo(program: Command, bind: Binder): void {
  program
    .command("info")
    .description(
      "show the installation and its workspaces (databases, sizes, cases, users, admin due date)",
    )
    .argument("[workspace...]", "workspaces to describe (all when none named)")
    .option(
      "-w, --workspace <ws>",
      "a workspace (repeatable; same as naming it as an argument)",
      collectWorkspace,
    )
    .action(bind(infoCommand));
}

function workspaceRows(w: WorkspaceInfo): Array<[string, string]> {
  const rows: Array<[string, string]> = [["Workspace Name", w.name]];
  for (const d of w.databases) {
    const label =
      d.role === "wf" ? "Workflow Database" : d.role === "rb" ? "RBAC Database" : "Report Database";
    rows.push([label, d.dsn]);
  }
  if (w.error) {
    rows.push(["Error", w.error]);
  } else {
    rows.push(["Database Server", w.server ? `${w.server.flavor} ${w.server.version}` : "unknown"]);
    rows.push([
      "Database Size",
      w.databaseBytes === null ? "unknown" : formatBytes(w.databaseBytes),
    ]);
  }
  rows.push(["Files", formatCounts(w.files)]);
  if (!w.error) {
    rows.push(["Cases", w.cases === null ? "unknown" : String(w.cases)]);
    rows.push(["Users", w.users === null ? "unknown" : String(w.users)]);
    rows.push(["Admin Due Date", w.adminDueDate ?? "unknown"]);
  }
  return rows;
}

async function infoCommand(ctx: Ctx, cmd: Command): Promise<number> {
  const names = namedWorkspaces(cmd);
  const inst = await ctx.installation();
  const workspaces = await resolveWorkspaces(inst, names);
  const sys = systemInfo(ctx.rt, inst);
  const infos: WorkspaceInfo[] = [];
  // Never the sizes and counts of a half-swapped workspace (a restore -o running alongside).
  for (const ws of workspaces)
    infos.push(
      // db.php read again: a swap that happened meanwhile may have replaced it.
      await ctx.readWhole(async () => workspaceInfo(ctx.rt, await loadWorkspace(inst, ws.name))),
    );
  const first = infos.find((i) => i.server !== null)?.server;
  sys.databaseServer =
    (await adminServerVersion(ctx.rt, () => ctx.adminCredentials())) ??
    (first ? `${first.flavor} ${first.version}` : null);
  const failed = infos.filter((i) => i.error !== null);
  ctx.out.document({ ok: failed.length === 0, system: sys, workspaces: infos });
  const { c } = ctx.out;
  for (const line of labelRows([
    ["pmadmin Version", sys.pmadminVersion],
    ["System", sys.os],
    ["Node.js Version", sys.node],
    ["Install Directory", sys.installDir],
    ["Shared Directory", sys.sharedDir],
    ["Database Server", sys.databaseServer ?? "unknown"],
  ]))
    ctx.out.line(line);
  for (const w of infos) {
    ctx.out.line();
    for (const [label, value] of workspaceRows(w)) {
      ctx.out.line(`${label.padStart(20)} ${label === "Error" ? c.red(value) : c.green(value)}`);
    }
  }
  for (const f of failed) ctx.out.warn(`workspace ${f.name}: ${f.error ?? ""}`);
  return failed.length > 0 ? ExitCode.failed : ExitCode.ok;
}
