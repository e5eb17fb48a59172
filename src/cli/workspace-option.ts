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
