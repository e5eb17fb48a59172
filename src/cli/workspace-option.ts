// `-w/--workspace WS` for commands that act on one workspace: optional when the installation has
// exactly one, otherwise the user must name it (exit 2 listing them).
import type { Command } from "commander";
import { usage } from "../errors.js";
import {
  listWorkspaces,
  loadWorkspace,
  resolveWorkspaces,
  type Workspace,
} from "../install/installation.js";
import type { Ctx } from "./context.js";

export function withWorkspaceOption(cmd: Command): Command {
  return cmd.option(
    "-w, --workspace <ws>",
    "workspace to act on (optional when there is only one)",
  );
}

/** Commander's collector for a repeatable `-w WS` beside a `[workspace...]` list. */
export function collectWorkspace(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The workspaces named as arguments and with -w, in that order, each once. */
export function namedWorkspaces(cmd: Command): string[] {
  const flagged = cmd.opts<{ workspace?: string[] }>().workspace ?? [];
  return [...new Set([...cmd.args, ...flagged])];
}

/**
 * The one workspace of `expire-admin [WS]`-style commands: the argument or -w (not two
 * different ones).
 */
export function oneWorkspaceName(cmd: Command): string | undefined {
  const flag = cmd.opts<{ workspace?: string }>().workspace;
  const arg = cmd.args[0];
  if (flag !== undefined && arg !== undefined && flag !== arg) {
    throw usage(
      "WORKSPACE.TWICE",
      `Two workspaces named: '${arg}' as the argument and '${flag}' with -w.`,
      { hint: "Name the workspace once, either as the argument or with -w/--workspace." },
    );
  }
  return flag ?? arg;
}

export async function oneWorkspace(ctx: Ctx, name: string | undefined): Promise<Workspace> {
  const inst = await ctx.installation();
  // An empty name is an error (loadWorkspace says so), not "the only workspace".
  if (name !== undefined) return loadWorkspace(inst, name);
  const names = await listWorkspaces(inst);
  if (names.length > 1) {
    throw usage(
      "WORKSPACE.AMBIGUOUS",
      `This installation has ${names.length} workspaces: ${names.join(", ")}.`,
      {
        hint: "Name one with -w/--workspace WS.",
      },
    );
  }
  const [ws] = await resolveWorkspaces(inst, names);
  return ws as Workspace;
}
