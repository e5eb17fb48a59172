// `user show USER` and `user role USER ROLE` (keeps USERS.USR_ROLE and RBAC_USERS_ROLES in step).
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import { runPlan } from "../cli/plan-runner.js";
import { withWorkspaceOption } from "../cli/workspace-option.js";
import { resolveRole } from "../rbac/state.js";
import { loadUser, planUserRole, type DbUser } from "../rbac/users.js";
import { labelRows } from "../ui/output.js";
import { withRbac } from "./rbac-common.js";

export function registerUser(program: Command, bind: Binder): void {
  const user = withWorkspaceOption(
    program.command("user").description("show a user; change a user's role"),
  );
  withWorkspaceOption(
    user
      .command("show")
      .description("a user as USERS and RBAC_USERS hold it")
      .argument("<user>", "username or USR_UID"),
  ).action(bind(userShow));
  withWorkspaceOption(
    user
      .command("role")
      .description("give a user another role (USERS.USR_ROLE and RBAC_USERS_ROLES together)")
      .argument("<user>", "username or USR_UID")
      .argument("<role>", "role code or UID"),
  ).action(bind(userRole));
}

/** The user without password hashes: nothing secret goes to output or --json. */
function publicUser(u: DbUser): Record<string, unknown> {
  const side = (s: DbUser["wf"]) =>
    s
      ? { username: s.username, status: s.status, dueDate: s.dueDate, updateDate: s.updateDate }
      : null;
  return {
    uid: u.uid,
    username: u.username,
    name: `${u.firstName} ${u.lastName}`.trim(),
    email: u.email,
    role: u.usrRole,
    rbacRoles: u.roles.map((r) => ({ uid: r.uid, code: r.code, status: r.status })),
    lastLogin: u.lastLogin,
    users: side(u.wf),
    rbacUsers: side(u.rbac),
  };
}

async function userShow(ctx: Ctx, cmd: Command): Promise<number> {
  return withRbac(ctx, cmd, async ({ ws, db }) => {
    const u = await loadUser(db, cmd.args[0] ?? "");
    ctx.out.document({ ok: true, workspace: ws.name, user: publicUser(u) });
    const both = (a: string | undefined, b: string | undefined): string =>
      a === b || b === undefined ? (a ?? "(missing)") : `${a ?? "(missing)"} (RBAC_USERS: ${b})`;
    const roles =
      u.roles
        .map((r) => `${r.code ?? "(unknown role)"}${r.status === 0 ? " (inactive)" : ""}`)
        .join(", ") || "(none)";
    for (const line of labelRows(
      [
        ["User", u.username],
        ["UID", u.uid],
        ["Name", `${u.firstName} ${u.lastName}`.trim() || "-"],
        ["Email", u.email || "-"],
        ["Role (USERS)", u.usrRole ?? "(missing)"],
        ["RBAC roles", roles],
        [
          "Status",
          both(
            u.wf?.status,
            u.rbac ? (u.rbac.status === "1" ? "1 active" : `${u.rbac.status} inactive`) : undefined,
          ),
        ],
        ["Due date", both(u.wf?.dueDate, u.rbac?.dueDate)],
        ["Last login", u.lastLogin ?? "never"],
      ],
      14,
    ))
      ctx.out.line(line);
    if (!u.wf || !u.rbac)
      ctx.out.warn(`user ${u.username} is missing from ${u.wf ? "RBAC_USERS" : "USERS"}.`);
    return 0;
  });
}

async function userRole(ctx: Ctx, cmd: Command): Promise<number> {
  const [userArg, roleArg] = cmd.processedArgs as [string, string];
  return withRbac(ctx, cmd, async ({ ws, db, state }) => {
    const role = resolveRole(state, roleArg);
    const u = await loadUser(db, userArg);
    const plan = planUserRole(u, role, ctx.rt.now());
    const outcome = await runPlan(ctx, db, plan.statements);
    const before = u.usrRole ?? "(none)";
    ctx.out.document({
      ok: true,
      workspace: ws.name,
      dryRun: ctx.opts.dryRun,
      user: u.username,
      from: before,
      to: role.code,
      changed: plan.changes,
      ...(ctx.opts.dryRun ? { sql: outcome.sql } : {}),
    });
    if (!plan.changes) ctx.out.line(`${u.username} already has role ${role.code}`);
    else
      ctx.out.line(
        `${ctx.opts.dryRun ? "would change" : "changed"} ${u.username}'s role: ${before} → ${role.code}`,
      );
    return 0;
  });
}
