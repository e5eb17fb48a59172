// The commander program: global options and command registration. No logic lives here.
import { Command, Option, type OutputConfiguration } from "commander";
import type { Runtime } from "../runtime.js";
import { throwIfInterrupted } from "../errors.js";
import { pmadminVersion } from "../version.js";
import { createCtx, readGlobals, type Handler } from "./context.js";

export interface ProgramState {
  exitCode: number;
}

/** Turns a handler into a commander action that records the exit code it returns. */
export type Binder = (handler: Handler) => (...args: unknown[]) => Promise<void>;

export type Registrar = (program: Command, bind: Binder) => void;

/** Commander's own messages go where ours do, and its errors look like ours. */
function output(rt: Runtime): OutputConfiguration {
  return {
    writeOut: (s) => rt.stdout.write(s),
    writeErr: (s) => rt.stderr.write(s),
    outputError: (s, write) => write(`pmadmin: error [USAGE]: ${s.replace(/^error: /, "")}`),
  };
}

export function buildProgram(
  rt: Runtime,
  registrars: readonly Registrar[],
  state: ProgramState,
): Command {
  const program = new Command("pmadmin");
  program
    .description(
      "Administer ProcessMaker installations: backup, restore, integrity checks, roles, permissions and the admin account.",
    )
    .version(pmadminVersion(), "--version", "print the pmadmin version")
    .option("--json", "print one JSON document on stdout")
    .option("-q, --quiet", "print only errors and essential results")
    .option("-v, --verbose", "print more detail on stderr")
    .option("--no-color", "disable colour (also NO_COLOR)")
    .option("-y, --yes", "answer yes to confirmations")
    .option("--dry-run", "show what would change and change nothing")
    .addOption(
      new Option(
        "--install-dir <dir>",
        "ProcessMaker root (env PM_INSTALL_DIR, default /opt/processmaker)",
      ),
    )
    .addOption(new Option("--shared-dir <dir>", "shared directory, PATH_DATA (env PM_SHARED_DIR)"))
    .addOption(
      new Option(
        "--db-admin-url <url>",
        "mysql://user:password@host:port of an account that may create databases and users (env PM_DB_ADMIN_URL)",
      ),
    )
    .showSuggestionAfterError(true)
    .showHelpAfterError("(run 'pmadmin --help' for usage)")
    .exitOverride()
    .configureOutput(output(rt));

  const bind: Binder =
    (handler) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      // A signal that came while pmadmin was still starting: stop before doing anything.
      throwIfInterrupted(rt.signal);
      const ctx = createCtx(rt, readGlobals(cmd.optsWithGlobals()));
      const code = await handler(ctx, cmd);
      state.exitCode = typeof code === "number" ? code : 0;
    };
  for (const register of registrars) register(program, bind);
  // Subcommands inherit exitOverride/output settings only when configured before they are added,
  // so apply them to every command now.
  const apply = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.showSuggestionAfterError(true);
    cmd.configureOutput(output(rt));
    for (const sub of cmd.commands) apply(sub);
  };
  for (const sub of program.commands) apply(sub);
  return program;
}
