// Confirmations behind one facade, so that commands never import inquirer and the rule is in one
// place: ask only when stdin is a TTY and --yes was not given; without a TTY the command line is
// the user's consent (cli-contract.md), unless the caller says a TTY-less run must refuse.
import type { Asker, OutStream } from "../runtime.js";

export interface ConfirmOptions {
  /** --yes: the user agreed in advance. */
  yes: boolean;
  stdinIsTTY: boolean;
  /** Where the question goes: stdout stays the command's result (--json stays one document). */
  stderr: OutStream;
  /** Asks instead of the terminal (Runtime.ask: tests, whose fake TTY has no terminal behind it). */
  ask?: Asker | undefined;
}

export async function confirm(o: ConfirmOptions, message: string): Promise<boolean> {
  if (o.yes || !o.stdinIsTTY) return true;
  const ask = o.ask ?? terminalAsker(o.stderr);
  return ask(message);
}

function terminalAsker(stderr: OutStream): Asker {
  // Only a process-backed runtime gets here (stdin is a real TTY), and its stderr is
  // process.stderr: a real stream, as inquirer needs.
  const output = stderr as NodeJS.WritableStream;
  // Loaded only when asking: every command would otherwise pay for inquirer at start-up.
  return async (message) => {
    const { confirm: inquirerConfirm } = await import("@inquirer/prompts");
    return inquirerConfirm({ message, default: false }, { output });
  };
}
