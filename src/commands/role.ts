// `role list|show|create|activate|deactivate|grant|revoke` (cli-contract.md §Roles, permissions and
// users). Reading commands live here; the changing ones in role-change.ts.
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import { withWorkspaceOption } from "../cli/workspace-option.js";
import { inertGrants } from "../rbac/grants.js";
import { heldBy, permissionLabel, resolveRole, roleUsers } from "../rbac/state.js";
import { labelRows } from "../ui/output.js";
import { formatTable } from "../ui/table.js";
import { statusWord, systemCode, withRbac } from "./rbac-common.js";
import { registerRoleChanges } from "./role-change.js";

export function registerRole(program: Command, bind: Binder): void {
  const role = withWorkspaceOption(
    program
      .command("role")
      .description(
        "list, show, create, activate and deactivate roles; grant and revoke permissions",
      ),
  );
  withWorkspaceOption(
    role.command("list").description("roles with name, status, users and permission count"),
  ).action(bind(roleList));
  withWorkspaceOption(
    role
      .command("show")
      .description("a role's permissions (inert ones flagged) and users")
      .argument("<role>", "role code or UID"),
  ).action(bind(roleShow));
  registerRoleChanges(role, bind);
}

async function roleList(ctx: Ctx, cmd: Command): Promise<number> {
  return withRbac(ctx, cmd, ({ ws, state }) => {
    const roles = state.roles.map((r) => ({
      code: r.code,
      uid: r.uid,
      name: r.name,
      status: statusWord(r.status),
      system: systemCode(r.system),
      users: r.users,
      permissions: state.grants.get(r.uid)?.size ?? 0,
    }));
    ctx.out.document({ ok: true, workspace: ws.name, roles });
    const rows = roles.map((r) => [
      r.code,
      r.name,
      r.status,
      String(r.users),
      String(r.permissions),
    ]);
    for (const line of formatTable(["CODE", "NAME", "STATUS", "USERS", "PERMISSIONS"], rows))
      ctx.out.line(line);
    return 0;
  });
}

async function roleShow(ctx: Ctx, cmd: Command): Promise<number> {
  return withRbac(ctx, cmd, async ({ ws, db, state }) => {
    const role = resolveRole(state, cmd.args[0] ?? "");
    const held = heldBy(state, role.uid);
    const inert = new Map(inertGrants(state, held).map((i) => [i.permission.uid, i.missing]));
    const users = await roleUsers(db, role.uid);
    const permissions = held.map((p) => ({
      code: p.code,
      uid: p.uid,
      description: permissionLabel(p),
      inert: inert.has(p.uid),
      missing: inert.get(p.uid) ?? [],
    }));
    ctx.out.document({
      ok: true,
      workspace: ws.name,
      role: {
        code: role.code,
        uid: role.uid,
        name: role.name,
        status: statusWord(role.status),
        system: systemCode(role.system),
      },
      permissions,
      users,
    });
    const rows: Array<[string, string]> = [
      ["Role", role.code],
      ["UID", role.uid],
      ["Name", role.name],
      ["Status", statusWord(role.status)],
      ["System", systemCode(role.system)],
      [
        "Users",
        users.length === 0 ? "0" : `${users.length}: ${users.map((u) => u.username).join(", ")}`,
      ],
      ["Permissions", `${held.length}${inert.size > 0 ? ` (${inert.size} inert)` : ""}`],
    ];
    for (const line of labelRows(rows, 12)) ctx.out.line(line);
    if (permissions.length === 0) return 0;
    ctx.out.line();
    const table = permissions.map((p) => [
      p.code,
      p.inert ? `inert: needs ${p.missing.join(", ")}` : "",
      p.description,
    ]);
    for (const line of formatTable(["PERMISSION", "NOTE", "DESCRIPTION"], table))
      ctx.out.line(`  ${line}`);
    if (!held.some((p) => p.code === "PM_LOGIN"))
      ctx.out.warn(`${role.code} does not hold PM_LOGIN: its users cannot log in.`);
    return 0;
  });
}
