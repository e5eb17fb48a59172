// The commander program as plain data: what `--help` shows (commands, aliases, options,
// arguments, descriptions), for the shell completion scripts and the man page, so both follow
// the help automatically. Reads commander's own Help, never a second list of commands.
import type { Command, Option } from "commander";

export interface OptionSpec {
  /** As written in the help: "-s, --size <MB>". */
  readonly flags: string;
  readonly short?: string;
  readonly long?: string;
  /** The name of its value ("MB"), when it takes one. */
  readonly value?: string;
  readonly description: string;
}

export interface ArgumentSpec {
  readonly name: string;
  readonly required: boolean;
  readonly variadic: boolean;
  readonly description: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly aliases: readonly string[];
  /** Names from the program down: ["role", "grant"]; [] for the program itself. */
  readonly path: readonly string[];
  readonly description: string;
  /** commander's usage line without the names: "[options] <dir>". */
  readonly usage: string;
  readonly options: readonly OptionSpec[];
  readonly arguments: readonly ArgumentSpec[];
  readonly commands: readonly CommandSpec[];
}

function optionSpec(o: Option): OptionSpec {
  const value = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1];
  return {
    flags: o.flags,
    ...(o.short === undefined ? {} : { short: o.short }),
    ...(o.long === undefined ? {} : { long: o.long }),
    ...(value === undefined ? {} : { value }),
    description: o.description,
  };
}

function walk(cmd: Command, path: readonly string[]): CommandSpec {
  const help = cmd.createHelp();
  return {
    name: cmd.name(),
    aliases: cmd.aliases(),
    path,
    description: cmd.description(),
    usage: cmd.usage(),
    options: help.visibleOptions(cmd).map(optionSpec),
    arguments: cmd.registeredArguments.map((a) => ({
      name: a.name(),
      required: a.required,
      variadic: a.variadic,
      description: a.description,
    })),
    commands: help.visibleCommands(cmd).map((sub) => walk(sub, [...path, sub.name()])),
  };
}

/** The whole tree from the program (`cmd` may be any command of it). */
export function commandTree(cmd: Command): CommandSpec {
  let root = cmd;
  while (root.parent) root = root.parent;
  return walk(root, []);
}

/** Every command below `spec`, depth first (the program itself not included). */
export function allCommands(spec: CommandSpec): CommandSpec[] {
  return spec.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** The option words (`-s`, `--size`) of an option. */
export function optionWords(o: OptionSpec): string[] {
  return [o.short, o.long].filter((w): w is string => w !== undefined);
}
