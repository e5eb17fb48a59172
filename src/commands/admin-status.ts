// `admin-status [WS...] [--warn-days N] [--user NAME]`: due dates and days left; exit 4 when the
// admin is expired or within the warning window (for cron), 1 when a workspace could not be read.
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import { collectWorkspace, namedWorkspaces } from "../cli/workspace-option.js";
import { DEFAULT_WARN_DAYS, adminStatus, type AdminStatus } from "../admin/status.js";
import { localSqlDate } from "../db/datetime.js";
import { ExitCode, errorMessage, isPmError, usage } from "../errors.js";
import { resolveWorkspaces } from "../install/installation.js";
import { withRbacDb } from "../rbac/workspace-db.js";
import { ADMIN_USER_UID } from "../rbac/permission-catalog.js";
import { loadUser } from "../rbac/users.js";
import { formatTable } from "../ui/table.js";

export function registerAdminStatus(program: Command, bind: Binder): void {
  program
    .command("admin-status")
    .description("the admin's due date and days left; exit 4 when expired or expiring")
    .argument("[workspace...]", "workspaces (all when none named)")
    .option(
      "-w, --workspace <ws>",
      "a workspace (repeatable; same as naming it as an argument)",
      collectWorkspace,
    )
    .option("--warn-days <n>", `warn this many days ahead (default ${DEFAULT_WARN_DAYS})`)
    .option("--user <name>", "another user than the admin (username)")
    .action(bind(adminStatusCommand));
}

type Entry = { workspace: string } & (AdminStatus | { error: string; code: string });

async function adminStatusCommand(ctx: Ctx, cmd: Command): Promise<number> {
  const o = cmd.opts<{ warnDays?: string; user?: string }>();
  if (o.warnDays !== undefined && !/^\d+$/.test(o.warnDays)) {
    throw usage("USAGE.BAD_NUMBER", `--warn-days must be a whole number, not '${o.warnDays}'.`);
  }
  const warnDays = o.warnDays === undefined ? DEFAULT_WARN_DAYS : Number(o.warnDays);
  const inst = await ctx.installation();
  const workspaces = await resolveWorkspaces(inst, namedWorkspaces(cmd));
  const now = ctx.rt.now();
  const entries: Entry[] = [];
  for (const ws of workspaces) {
    try {
      const s = await withRbacDb(ws, ctx.rt.env, async (db) =>
        adminStatus(await loadUser(db, o.user ?? ADMIN_USER_UID), now, warnDays),
      );
      entries.push({ workspace: ws.name, ...s });
    } catch (error) {
      entries.push({
        workspace: ws.name,
        error: errorMessage(error),
        code: isPmError(error) ? error.code : "INTERNAL",
      });
    }
  }
  const failed = entries.filter((e) => "error" in e);
  const findings = entries.filter((e) => "finding" in e && e.finding);
  ctx.out.document({
    ok: failed.length === 0 && findings.length === 0,
    today: localSqlDate(now),
    warnDays,
    workspaces: entries,
  });
  const rows = entries.map((e) =>
    "error" in e
      ? [e.workspace, "-", "-", "-", `error: ${e.error}`]
      : [e.workspace, e.user, e.dueDate, String(e.daysLeft), e.state],
  );
  for (const line of formatTable(["WORKSPACE", "USER", "DUE DATE", "DAYS LEFT", "STATUS"], rows))
    ctx.out.line(line);
  for (const e of entries) {
    if ("error" in e) ctx.out.warn(`${e.workspace}: could not read the admin account: ${e.error}`);
    else {
      if (e.state === "expired")
        ctx.out.warn(
          `${e.workspace}: ${e.user} expired on ${e.dueDate}; run 'pmadmin extend-admin ${e.workspace}'.`,
        );
      if (e.state === "expiring")
        ctx.out.warn(
          `${e.workspace}: ${e.user} expires in ${e.daysLeft} day(s) (${e.dueDate}); run 'pmadmin extend-admin ${e.workspace}'.`,
        );
      if (!e.inStep)
        ctx.out.warn(
          `${e.workspace}: due dates differ: RBAC_USERS ${e.dueDate}, USERS ${e.usersDueDate ?? "(missing)"}; login reads RBAC_USERS.`,
        );
      if (!e.active)
        ctx.out.warn(`${e.workspace}: ${e.user} is not active in RBAC_USERS and cannot log in.`);
    }
  }
  if (failed.length > 0) return ExitCode.failed;
  return findings.length > 0 ? ExitCode.findings : ExitCode.ok;
}
