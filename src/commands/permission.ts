// `permission list [--role R]`: code, description, required companions and the roles holding it.
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import { withWorkspaceOption } from "../cli/workspace-option.js";
import { heldBy, permissionLabel, resolveRole, rolesHolding } from "../rbac/state.js";
import { formatTable } from "../ui/table.js";
import { withRbac } from "./rbac-common.js";

export function registerPermission(program: Command, bind: Binder): void {
  const permission = withWorkspaceOption(
    program.command("permission").description("the permissions of a workspace"),
  );
  withWorkspaceOption(
    permission
      .command("list")
      .description("permissions with description, required companions and the roles holding them")
      .option("--role <role>", "only the permissions this role holds"),
  ).action(bind(permissionList));
}

async function permissionList(ctx: Ctx, cmd: Command): Promise<number> {
  const o = cmd.opts<{ role?: string }>();
  return withRbac(ctx, cmd, ({ ws, state }) => {
    const role = o.role === undefined ? undefined : resolveRole(state, o.role);
    const perms = role ? heldBy(state, role.uid) : state.permissions;
    const list = perms.map((p) => ({
      code: p.code,
      uid: p.uid,
      description: permissionLabel(p),
      requires: [...(p.catalog?.requires ?? [])],
      advisory: [...(p.catalog?.advisory ?? [])],
      roles: rolesHolding(state, p.uid).map((r) => r.code),
    }));
    ctx.out.document({
      ok: true,
      workspace: ws.name,
      ...(role ? { role: role.code } : {}),
      permissions: list,
    });
    const rows = list.map((p) => [
      p.code,
      p.requires.join(",") || "-",
      p.roles.join(",") || "-",
      p.description,
    ]);
    for (const line of formatTable(["CODE", "NEEDS", "ROLES", "DESCRIPTION"], rows))
      ctx.out.line(line);
    return 0;
  });
}
