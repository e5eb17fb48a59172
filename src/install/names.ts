// Workspace names: ProcessMaker's installer accepts ^[A-Za-z0-9_]+$ up to 29 characters.
import { usage } from "../errors.js";

export const WORKSPACE_NAME = /^[A-Za-z0-9_]+$/;
export const WORKSPACE_NAME_MAX = 29;

export function workspaceNameProblem(name: string): string | undefined {
  if (name.length === 0) return "the name is empty";
  if (!WORKSPACE_NAME.test(name)) return "only letters, digits and _ are allowed";
  if (name.length > WORKSPACE_NAME_MAX)
    return `at most ${WORKSPACE_NAME_MAX} characters are allowed`;
  return undefined;
}

export function assertWorkspaceName(name: string): void {
  const problem = workspaceNameProblem(name);
  if (problem) {
    throw usage("WORKSPACE.BAD_NAME", `Invalid workspace name '${name}': ${problem}.`, {
      hint: `Use 1 to ${WORKSPACE_NAME_MAX} letters, digits or underscores.`,
    });
  }
}
