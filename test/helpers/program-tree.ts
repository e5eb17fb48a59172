// Every registered command and subcommand of the real program (the `help` pseudo-commands left
// out), walked from the program itself so a new command is covered without touching a test.
import { PassThrough } from "node:stream";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/program.js";
import { COMMANDS } from "../../src/commands/index.js";
import type { Runtime } from "../../src/runtime.js";

export function programCommands(): Array<{ path: string[]; cmd: Command }> {
  const rt: Runtime = {
    stdout: { write: () => true, isTTY: false },
    stderr: { write: () => true, isTTY: false },
    stdin: new PassThrough(),
    env: {},
    cwd: process.cwd(),
    platform: "linux",
    stdinIsTTY: false,
    signal: new AbortController().signal,
    now: () => new Date(),
  };
  const out: Array<{ path: string[]; cmd: Command }> = [];
  const walk = (cmd: Command, prefix: string[]): void => {
    for (const sub of cmd.commands) {
      if (sub.name() === "help") continue;
      const p = [...prefix, sub.name()];
      out.push({ path: p, cmd: sub });
      walk(sub, p);
    }
  };
  walk(buildProgram(rt, COMMANDS, { exitCode: 0 }), []);
  return out;
}
