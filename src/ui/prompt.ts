// Confirmations behind one facade, so that commands never import inquirer and the rule is in one
// place: ask only when stdin is a TTY and --yes was not given; without a TTY the command line is
// the user's consent (cli-contract.md), unless the caller says a TTY-less run must refuse.
import { confirm as inquirerConfirm } from "@inquirer/prompts";
import type { Ctx } from "../cli/context.js";

export type Asker = (message: string) => Promise<boolean>;

// The question goes to stderr so that stdout stays the command's result (--json stays one document).
let asker: Asker = (message) =>
  inquirerConfirm({ message, default: false }, { output: process.stderr });

/** Tests replace the interactive question (a fake TTY has no terminal behind it). */
export function setAsker(next: Asker): Asker {
  const previous = asker;
  asker = next;
  return previous;
}

export async function confirm(ctx: Ctx, message: string): Promise<boolean> {
  if (ctx.opts.yes || !ctx.rt.stdinIsTTY) return true;
  return asker(message);
}
