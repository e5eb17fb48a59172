// The role commands that change something: create, activate, deactivate, grant, revoke. Each one
// plans (pure, in src/rbac), then prints the SQL (--dry-run) or applies it in one transaction.
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import { runPlan } from "../cli/plan-runner.js";
import { withWorkspaceOption } from "../cli/workspace-option.js";
import { refused } from "../errors.js";
import { planGrant, planRevoke } from "../rbac/grants.js";
import { planCreateRole, planRoleStatus } from "../rbac/roles.js";
import { resolvePermission, resolveRole } from "../rbac/state.js";
import { confirm } from "../ui/prompt.js";
import { withRbac } from "./rbac-common.js";

export function registerRoleChanges(role: Command, bind: Binder): void {
  withWorkspaceOption(
    role
      .command("create")
      .description("create a role (PROCESSMAKER system, holding PM_LOGIN)")
      .argument("<code>", "role code: letters, digits, underscores (stored in upper case)")
      .option("--name <name>", "display name (default: the code)")
      .option("--inactive", "create it inactive"),
  ).action(bind(roleCreate));
  withWorkspaceOption(
    role
      .command("activate")
      .description("let users of the role log in")
      .argument("<role>", "role code or UID"),
  ).action(bind((ctx, cmd) => roleStatus(ctx, cmd, true)));
  withWorkspaceOption(
    role
      .command("deactivate")
      .description("stop users of the role from logging in (asks on a TTY unless --yes)")
      .argument("<role>", "role code or UID"),
  ).action(bind((ctx, cmd) => roleStatus(ctx, cmd, false)));
  withWorkspaceOption(
    role
      .command("grant")
      .description("grant permissions to a role (refuses inert grants unless --with-required)")
      .argument("<role>", "role code or UID")
      .argument("<permission...>", "permission codes")
      .option("--with-required", "also grant the companions the permissions need"),
  ).action(bind(roleGrant));
  withWorkspaceOption(
    role
      .command("revoke")
      .description("revoke permissions from a role (PM_LOGIN only with --force)")
      .argument("<role>", "role code or UID")
      .argument("<permission...>", "permission codes")
      .option("--force", "allow revoking PM_LOGIN"),
  ).action(bind(roleRevoke));
}

const would = (ctx: Ctx, verb: string): string => (ctx.opts.dryRun ? `would ${verb}` : verb);

async function roleCreate(ctx: Ctx, cmd: Command): Promise<number> {
  const o = cmd.opts<{ name?: string; inactive?: boolean }>();
  return withRbac(ctx, cmd, async ({ ws, db, state }) => {
    const plan = planCreateRole(state, {
      code: cmd.args[0] ?? "",
      name: o.name,
      active: o.inactive !== true,
      now: ctx.rt.now(),
    });
    const outcome = await runPlan(ctx, db, plan.statements);
    ctx.out.document({
      ok: true,
      workspace: ws.name,
      dryRun: ctx.opts.dryRun,
      role: {
        code: plan.code,
        uid: plan.uid,
        name: plan.name,
        status: plan.active ? "active" : "inactive",
        permissions: ["PM_LOGIN"],
      },
      ...(ctx.opts.dryRun ? { sql: outcome.sql } : {}),
    });
    ctx.out.line(
      `${would(ctx, "create")} role ${plan.code} (${plan.uid}) "${plan.name}", ${plan.active ? "active" : "inactive"}, with PM_LOGIN`,
    );
    return 0;
  });
}

async function roleStatus(ctx: Ctx, cmd: Command, active: boolean): Promise<number> {
  return withRbac(ctx, cmd, async ({ ws, db, state }) => {
    const role = resolveRole(state, cmd.args[0] ?? "");
    const plan = planRoleStatus(role, active, ctx.rt.now());
    const word = active ? "active" : "inactive";
    if (plan.changes && !active && role.users > 0) {
      ctx.out.warn(
        `${role.users} user(s) hold ${role.code}; while it is inactive they will not be able to log in.`,
      );
      const { yes } = ctx.opts;
      const { stdinIsTTY, stderr, ask } = ctx.rt;
      if (
        !ctx.opts.dryRun &&
        !(await confirm({ yes, stdinIsTTY, stderr, ask }, `Deactivate ${role.code}?`))
      ) {
        throw refused(
          "RBAC.NOT_CONFIRMED",
          `Not confirmed; ${role.code} stays active. Nothing changed.`,
          {
            hint: "Answer yes, or pass --yes to deactivate without asking.",
          },
        );
      }
    }
    const outcome = await runPlan(ctx, db, plan.statements);
    ctx.out.document({
      ok: true,
      workspace: ws.name,
      dryRun: ctx.opts.dryRun,
      role: role.code,
      status: word,
      changed: plan.changes,
      users: role.users,
      ...(ctx.opts.dryRun ? { sql: outcome.sql } : {}),
    });
    ctx.out.line(
      plan.changes
        ? `${would(ctx, active ? "activate" : "deactivate")} role ${role.code}`
        : `role ${role.code} is already ${word}`,
    );
    return 0;
  });
}

async function roleGrant(ctx: Ctx, cmd: Command): Promise<number> {
  const o = cmd.opts<{ withRequired?: boolean }>();
  const [roleArg, perms] = cmd.processedArgs as [string, string[]];
  return withRbac(ctx, cmd, async ({ ws, db, state }) => {
    const role = resolveRole(state, roleArg);
    const requested = perms.map((p) => resolvePermission(state, p));
    const plan = planGrant(state, role, requested, { withRequired: o.withRequired === true });
    for (const w of plan.warnings) ctx.out.warn(w);
    const outcome = await runPlan(ctx, db, plan.statements);
    const companions = new Set(plan.companions.map((p) => p.uid));
    ctx.out.document({
      ok: true,
      workspace: ws.name,
      dryRun: ctx.opts.dryRun,
      role: role.code,
      granted: plan.add.map((p) => p.code),
      companions: plan.companions.map((p) => p.code),
      alreadyGranted: plan.already.map((p) => p.code),
      warnings: plan.warnings,
      ...(ctx.opts.dryRun ? { sql: outcome.sql } : {}),
    });
    for (const p of plan.add) {
      ctx.out.line(
        `${would(ctx, "grant")} ${p.code} to ${role.code}${companions.has(p.uid) ? " (required companion)" : ""}`,
      );
    }
    for (const p of plan.already) ctx.out.line(`${p.code}: already granted to ${role.code}`);
    return 0;
  });
}

async function roleRevoke(ctx: Ctx, cmd: Command): Promise<number> {
  const o = cmd.opts<{ force?: boolean }>();
  const [roleArg, perms] = cmd.processedArgs as [string, string[]];
  return withRbac(ctx, cmd, async ({ ws, db, state }) => {
    const role = resolveRole(state, roleArg);
    const requested = perms.map((p) => resolvePermission(state, p));
    const plan = planRevoke(state, role, requested, { force: o.force === true });
    for (const w of plan.warnings) ctx.out.warn(w);
    const outcome = await runPlan(ctx, db, plan.statements);
    ctx.out.document({
      ok: true,
      workspace: ws.name,
      dryRun: ctx.opts.dryRun,
      role: role.code,
      revoked: plan.remove.map((p) => p.code),
      notGranted: plan.notHeld.map((p) => p.code),
      warnings: plan.warnings,
      ...(ctx.opts.dryRun ? { sql: outcome.sql } : {}),
    });
    for (const p of plan.remove)
      ctx.out.line(`${would(ctx, "revoke")} ${p.code} from ${role.code}`);
    for (const p of plan.notHeld)
      ctx.out.line(`${p.code}: not granted to ${role.code} (nothing to revoke)`);
    return 0;
  });
}
