// `platform …`: ProcessMaker 4 platform permissions and Super Admin (issue 7; facts in
// processmaker-4-permissions.md). Handlers live in platform-*.ts beside this file.
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import { grantCommand, listCommand, revokeCommand } from "./platform-permission.js";
import { envFileOption } from "./platform-session.js";
import { showCommand } from "./platform-show.js";
import { superAdminCommand } from "./platform-super-admin.js";

function holderOptions(cmd: Command): Command {
  return envFileOption(cmd)
    .option("--user <user>", "a user, by username or id")
    .option("--group <group>", "a group, by name or id");
}

export function registerPlatform(program: Command, bind: Binder): void {
  const platform = program
    .command("platform")
    .description("ProcessMaker 4: platform permissions and Super Admin (needs the install's .env)");
  const perm = platform
    .command("permission")
    .description("list, grant, revoke and show platform permissions");
  envFileOption(perm.command("list"))
    .description("list permissions: name, title, category, users and groups holding it")
    .option("--category <category>", "only this category (permissions.group)")
    .action(bind(listCommand));
  holderOptions(perm.command("grant"))
    .description("grant permissions (by name) to one user or group; idempotent")
    .argument("<permission...>", "permission names, e.g. create-users")
    .option("--with-required", "also grant the permissions these need (create-X → edit-X, view-X)")
    .action(bind(grantCommand));
  holderOptions(perm.command("revoke"))
    .description("revoke permissions from one user or group (duplicate rows removed too)")
    .argument("<permission...>", "permission names")
    .action(bind(revokeCommand));
  holderOptions(perm.command("show"))
    .description(
      "show a user's or group's permissions; --effective adds those inherited through (nested) groups",
    )
    .option("--effective", "direct + every group up through nested groups; Super Admin shows 'all'")
    .action(bind(showCommand));
  envFileOption(platform.command("super-admin"))
    .description("turn a user's Super Admin flag on or off (refuses to remove the last active one)")
    .argument("<user>", "username or id")
    .argument("<on|off>", "on or off")
    .option("--force", "allow removing the last active Super Admin")
    .action(bind(superAdminCommand));
}
