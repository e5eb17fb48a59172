// `pmadmin completion zsh`: a zsh completion function generated from the command tree, one
// function per command that has subcommands or options, using zsh's own _arguments/_describe.
import { allCommands, type CommandSpec, type OptionSpec } from "./tree.js";

/** A zsh single-quoted word. */
function q(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** An _arguments description: no newlines, brackets and colons escaped. */
function desc(text: string): string {
  return text.replace(/\s+/g, " ").replace(/([[\]:\\])/g, "\\$1");
}

function fnName(c: CommandSpec): string {
  return ["_pmadmin", ...c.path].join("__").replace(/[^A-Za-z0-9_]/g, "_");
}

function optionSpecs(o: OptionSpec): string[] {
  const words = [o.short, o.long].filter((w): w is string => w !== undefined);
  const group = words.length > 1 ? `(${words.join(" ")})` : "";
  const value = o.value === undefined ? "" : `:${desc(o.value)}:_files`;
  return words.map((w) => {
    const takes = o.value === undefined ? "" : w.startsWith("--") ? "=" : "+";
    return q(`${group}${w}${takes}[${desc(o.description)}]${value}`);
  });
}

function commandFunction(c: CommandSpec, globals: readonly OptionSpec[]): string {
  const opts = [...c.options, ...globals].flatMap(optionSpecs);
  if (c.commands.length === 0) {
    return `${fnName(c)}() {
  _arguments -s ${opts.join(" ")} '*:file:_files'
}`;
  }
  const described = c.commands.flatMap((s) =>
    [s.name, ...s.aliases].map((n) => q(`${n}:${s.description.replace(/\s+/g, " ")}`)),
  );
  const dispatch = c.commands
    .map((s) => `    ${[s.name, ...s.aliases].map(q).join("|")}) ${fnName(s)} ;;`)
    .join("\n");
  return `${fnName(c)}() {
  local curcontext="$curcontext" state line ret=1
  local -a subcommands
  subcommands=(${described.join(" ")})
  _arguments -C -s ${opts.join(" ")} '1:command:->command' '*::argument:->argument' && ret=0
  case $state in
    command) _describe -t commands 'pmadmin command' subcommands && ret=0 ;;
    argument)
      curcontext="\${curcontext%:*:*}:pmadmin-$words[1]:"
      case $words[1] in
${dispatch}
      esac ;;
  esac
  return ret
}`;
}

export function zshCompletion(root: CommandSpec): string {
  const globals = root.options.filter((o) => o.long !== "--version" && o.long !== "--help");
  const functions = [root, ...allCommands(root)].map((c) =>
    commandFunction(c, c === root ? [] : globals),
  );
  return `#compdef pmadmin
# zsh completion for pmadmin, generated from its help by \`pmadmin completion zsh\`.
# Install: pmadmin completion zsh > "\${fpath[1]}/_pmadmin"   (then: compinit)
#      or: echo 'source <(pmadmin completion zsh)' >> ~/.zshrc   (after compinit)

${functions.join("\n\n")}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _pmadmin "$@"
else
  compdef _pmadmin pmadmin
fi
`;
}
