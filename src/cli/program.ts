// The commander program: global options, command registration and the `help` command that walks
// the tree. No domain logic lives here.
import { Command, Option, type OutputConfiguration } from "commander";
import type { Runtime } from "../runtime.js";
import { throwIfInterrupted, usage } from "../errors.js";
import { didYouMean } from "../ui/suggest.js";
import { pmadminVersion } from "../version.js";
import { createCtx, readGlobals, type Handler } from "./context.js";
import { commandPath, NO_DRY_RUN, visibleGlobalOptions } from "./global-options.js";

export interface ProgramState {
  exitCode: number;
  /** The help of the command that ran or whose arguments were rejected (for error hints). */
  usageHelp?: string;
}

/** Turns a handler into a commander action that records the exit code it returns. */
export type Binder = (handler: Handler) => (...args: unknown[]) => Promise<void>;

export type Registrar = (program: Command, bind: Binder) => void;

/** Commander's own messages go where ours do, and its errors look like ours. */
function output(rt: Runtime, state: ProgramState, helpOf: string): OutputConfiguration {
  return {
    writeOut: (s) => rt.stdout.write(s),
    writeErr: (s) => rt.stderr.write(s),
    outputError: (s, write) => {
      state.usageHelp = helpOf;
      write(`pmadmin: error [USAGE]: ${s.replace(/^error: /, "")}`);
    },
  };
}

/** The words that show a command's own help, e.g. `pmadmin help role grant`. */
export function helpCommandFor(cmd: Command): string {
  const names = commandPath(cmd);
  return names.length === 0 ? "pmadmin --help" : `pmadmin help ${names.join(" ")}`;
}

/** Follows `help role grant` down the tree; an unknown name is a usage error with a suggestion. */
export function findCommand(root: Command, names: readonly string[]): Command {
  let cur = root;
  for (const name of names) {
    const subs = cur.commands.filter((c) => c.name() !== "help");
    const next = subs.find((c) => c.name() === name || c.aliases().includes(name));
    if (next === undefined) {
      const known = subs.map((c) => c.name());
      const suggestion = didYouMean(name, known) || ` Commands: ${known.join(", ")}.`;
      throw usage(
        "USAGE.UNKNOWN_COMMAND",
        `Unknown command '${[...commandPath(cur), name].join(" ")}'.${suggestion}`,
        { hint: `Run '${helpCommandFor(cur)}' for what each does.` },
      );
    }
    cur = next;
  }
  return cur;
}

/**
 * A real `help [command...]` on every command that has subcommands, so that `help role grant`
 * reaches `role grant` and `help nosuch` is a usage error (commander's own prints the main help).
 */
function addHelpCommand(parent: Command, bind: Binder): void {
  parent
    .command("help")
    .description("show a command's help, e.g. 'help role grant'")
    .argument("[command...]", "the command (and subcommand) to explain")
    .action(
      bind(async (_ctx, cmd) => {
        findCommand(parent, cmd.args).outputHelp();
        return Promise.resolve(0);
      }),
    );
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
    .configureOutput(output(rt, state, "pmadmin --help"));

  const bind: Binder =
    (handler) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      // A signal that came while pmadmin was still starting: stop before doing anything.
      throwIfInterrupted(rt.signal);
      const ctx = createCtx(rt, readGlobals(cmd.optsWithGlobals()));
      const path = commandPath(cmd).join(" ");
      if (ctx.opts.dryRun && NO_DRY_RUN.has(path))
        throw usage(
          "USAGE.NO_DRY_RUN",
          `'${path}' cannot show its changes first: --dry-run is refused.`,
          {
            hint: `Run it without --dry-run; 'pmadmin help ${path}' says what it does.`,
          },
        );
      // A usage error the handler throws without a hint points at this command's help.
      state.usageHelp = helpCommandFor(cmd);
      const code = await handler(ctx, cmd);
      state.exitCode = typeof code === "number" ? code : 0;
    };
  for (const register of registrars) register(program, bind);
  // Subcommands inherit exitOverride/output settings only when configured before they are added,
  // so apply them to every command now.
  const apply = (cmd: Command): void => {
    if (cmd.commands.length > 0 && cmd.name() !== "help") addHelpCommand(cmd, bind);
    const own = helpCommandFor(cmd);
    cmd.exitOverride();
    cmd.showSuggestionAfterError(true);
    cmd.configureOutput(output(rt, state, own));
    cmd.configureHelp({ showGlobalOptions: true, visibleGlobalOptions });
    if (cmd !== program)
      cmd.showHelpAfterError(
        `(run '${own}' or 'pmadmin ${commandPath(cmd).join(" ")} --help' for usage)`,
      );
    for (const sub of cmd.commands) apply(sub);
  };
  apply(program);
  return program;
}
