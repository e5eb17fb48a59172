// The one place that turns results and errors into exit codes (cli-contract.md, "Exit codes").
import { CommanderError } from "commander";
import { buildProgram, type ProgramState } from "./cli/program.js";
import { COMMANDS } from "./commands/index.js";
import { ExitCode, PmError, isPmError } from "./errors.js";
import { InterruptedSignal, type Runtime } from "./runtime.js";
import { interruptOpenConnections } from "./db/mysql.js";
import { setConnectionEnv } from "./db/connection-target.js";
import { JSON_SCHEMA_VERSION } from "./ui/output.js";

const COMMANDER_OK = new Set(["commander.helpDisplayed", "commander.version", "commander.help"]);

function wantsJson(argv: readonly string[]): boolean {
  return argv.includes("--json");
}

/** The error documents of --json carry the same schemaVersion as the results (docs/json.md). */
function writeJson(rt: Runtime, doc: Record<string, unknown>): void {
  rt.stdout.write(`${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, ...doc }, null, 2)}\n`);
}

/** Commander's "error: unknown option '--x'\n(Did you mean --y?)" as one message and a hint. */
function commanderError(error: CommanderError, state: ProgramState): Record<string, string> {
  const [first = "", ...rest] = error.message.replace(/^error: /, "").split("\n");
  const suggestion = rest
    .map((l) => l.replace(/^\((.*)\)$/, "$1").trim())
    .filter((l) => l !== "")
    .join(" ");
  const help = state.usageHelp ?? "pmadmin --help";
  return {
    code: "USAGE",
    message: suggestion === "" ? first : `${first}. ${suggestion}`,
    hint: `Run '${help}' for usage.`,
  };
}

/** Every error names what to do next: its own hint, else the command's help or the codes list. */
function hintFor(error: PmError, state: ProgramState): string {
  if (error.hint) return error.hint;
  if (error.exitCode === ExitCode.usage && state.usageHelp !== undefined)
    return `Run '${state.usageHelp}' for usage.`;
  return `See docs/errors.md for ${error.code}.`;
}

function report(rt: Runtime, argv: readonly string[], error: PmError, state: ProgramState): void {
  const hint = hintFor(error, state);
  if (wantsJson(argv)) {
    const body: Record<string, unknown> = { code: error.code, message: error.message };
    body["hint"] = hint;
    if (error.details) body["details"] = error.details;
    writeJson(rt, { ok: false, error: body });
  }
  rt.stderr.write(`pmadmin: error [${error.code}]: ${error.message}\n`);
  if (error.hint || error.exitCode === ExitCode.usage) rt.stderr.write(`  ${hint}\n`);
}

export async function run(rt: Runtime, argv: readonly string[]): Promise<number> {
  const state: ProgramState = { exitCode: 0 };
  // Every connection of this run, mysql2 or a child client's option file, decides socket vs TCP
  // with this environment (PM_DB_SOCKET), whether or not the caller passed it along.
  setConnectionEnv(rt.env);
  const program = buildProgram(rt, COMMANDS, state);
  // Ctrl-C must not wait for a statement stuck behind a lock: kill what the database is doing.
  const onAbort = (): void => void interruptOpenConnections();
  rt.signal.addEventListener("abort", onAbort, { once: true });
  try {
    await program.parseAsync([...argv], { from: "user" });
    if (rt.signal.aborted) {
      // The command wound up on its own (its report is already out); the status says why.
      rt.stderr.write("pmadmin: error [INTERRUPTED]: Interrupted; nothing was left half-done.\n");
      return ExitCode.interrupted;
    }
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Bare `pmadmin` prints help, but a script that called it that way made a usage error.
      if (COMMANDER_OK.has(error.code)) return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
      if (wantsJson(argv)) writeJson(rt, { ok: false, error: commanderError(error, state) });
      return ExitCode.usage;
    }
    // After an interruption, whatever failed (a killed query, a cut pipe) failed because of it.
    if (isPmError(error) && (!rt.signal.aborted || error.exitCode === ExitCode.interrupted)) {
      report(rt, argv, error, state);
      return error.exitCode;
    }
    if (rt.signal.aborted || error instanceof InterruptedSignal) {
      report(
        rt,
        argv,
        new PmError(
          "INTERRUPTED",
          ExitCode.interrupted,
          "Interrupted; nothing was left half-done.",
        ),
        state,
      );
      return ExitCode.interrupted;
    }
    const internal = new PmError(
      "INTERNAL",
      ExitCode.failed,
      `Unexpected error: ${(error as Error)?.stack ?? String(error)}`,
      {
        hint: "This is a bug in pmadmin; please report it with the command you ran.",
      },
    );
    report(rt, argv, internal, state);
    return ExitCode.failed;
  } finally {
    rt.signal.removeEventListener("abort", onAbort);
  }
}
