// `completion bash|zsh`: print a shell completion script generated from this program's own
// command tree, so completion always offers what `--help` lists.
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import { usage } from "../errors.js";
import { bashCompletion } from "../help/completion-bash.js";
import { zshCompletion } from "../help/completion-zsh.js";
import { commandTree, type CommandSpec } from "../help/tree.js";

const SHELLS: Record<string, (root: CommandSpec) => string> = {
  bash: bashCompletion,
  zsh: zshCompletion,
};

export function registerCompletion(program: Command, bind: Binder): void {
  program
    .command("completion")
    .description("print a completion script for bash or zsh (see README, Install)")
    .argument("<shell>", "bash or zsh")
    .addHelpText(
      "after",
      `
Examples:
  pmadmin completion bash > /etc/bash_completion.d/pmadmin
  echo 'source <(pmadmin completion zsh)' >> ~/.zshrc`,
    )
    .action(bind(completionCommand));
}

function completionCommand(ctx: Ctx, cmd: Command): Promise<number> {
  const shell = cmd.args[0] ?? "";
  const render = Object.hasOwn(SHELLS, shell) ? SHELLS[shell] : undefined;
  if (render === undefined) {
    throw usage("USAGE.SHELL", `No completion for shell '${shell}'.`, {
      hint: `Name one of: ${Object.keys(SHELLS).join(", ")} (e.g. pmadmin completion bash).`,
    });
  }
  const script = render(commandTree(cmd));
  // The script itself is the result: --quiet keeps it; --json wraps it.
  ctx.out.document({ ok: true, shell, script });
  ctx.out.essential(script.trimEnd());
  return Promise.resolve(0);
}
