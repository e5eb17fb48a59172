// `pmadmin completion bash`: a bash completion script generated from the command tree. The data
// (subcommands, options, options that take a value) is written into case statements; one small
// function walks COMP_WORDS to find the command being typed. Positional arguments (workspaces,
// archives, directories) fall back to bash's default file completion.
import { allCommands, optionWords, type CommandSpec } from "./tree.js";

/** A word as a bash word: single-quoted unless it is plainly safe. */
function q(word: string): string {
  return /^[A-Za-z0-9_.,:=+/-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function key(c: CommandSpec): string {
  return c.path.join(" ");
}

function caseArm(k: string, body: string): string {
  return `    ${q(k)}) ${body} ;;`;
}

function childArms(root: CommandSpec): string[] {
  const arms: string[] = [];
  for (const parent of [root, ...allCommands(root)]) {
    for (const c of parent.commands) {
      for (const word of [c.name, ...c.aliases])
        arms.push(caseArm(`${key(parent)}|${word}`, `REPLY=${q(key(c))}`));
    }
  }
  return arms;
}

function listArms(root: CommandSpec, list: (c: CommandSpec) => string[]): string[] {
  return [root, ...allCommands(root)]
    .map((c) => [key(c), list(c)] as const)
    .filter(([, words]) => words.length > 0)
    .map(([k, words]) => caseArm(k, `REPLY=${q(words.join(" "))}`));
}

export function bashCompletion(root: CommandSpec): string {
  const globals = root.options.filter((o) => o.long !== "--version" && o.long !== "--help");
  const options = (c: CommandSpec): string[] =>
    [...c.options, ...(c === root ? [] : globals)].flatMap(optionWords);
  const valued = (c: CommandSpec): string[] =>
    [...c.options, ...globals].filter((o) => o.value !== undefined).flatMap(optionWords);
  const subcommands = (c: CommandSpec): string[] =>
    c.commands.flatMap((s) => [s.name, ...s.aliases]);
  return `# bash completion for pmadmin, generated from its help by \`pmadmin completion bash\`.
# Install: pmadmin completion bash > /etc/bash_completion.d/pmadmin
#      or: echo 'source <(pmadmin completion bash)' >> ~/.bashrc

# The command path after WORD below PATH ("role" + "grant" -> "role grant"); empty when none.
_pmadmin_child() {
  REPLY=
  case "$1|$2" in
${childArms(root).join("\n")}
  esac
}

_pmadmin_subcommands() {
  REPLY=
  case "$1" in
${listArms(root, subcommands).join("\n")}
  esac
}

_pmadmin_options() {
  REPLY=
  case "$1" in
${listArms(root, options).join("\n")}
  esac
}

# Options of PATH that take a value (the next word is that value, not a command).
_pmadmin_valued() {
  REPLY=
  case "$1" in
${listArms(root, valued).join("\n")}
  esac
}

_pmadmin() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word i skip=0
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$word" in
      --*=*) continue ;;
      -*)
        _pmadmin_valued "$path"
        [[ " $REPLY " == *" $word "* ]] && skip=1
        continue ;;
    esac
    _pmadmin_child "$path" "$word"
    [[ -n "$REPLY" ]] && path="$REPLY"
  done
  # The value of an option (a directory, a URL, a number): leave it to bash's default completion.
  ((skip)) && return 0
  if [[ "$cur" == -* ]]; then
    _pmadmin_options "$path"
  else
    _pmadmin_subcommands "$path"
  fi
  [[ -n "$REPLY" ]] && mapfile -t COMPREPLY < <(compgen -W "$REPLY" -- "$cur")
  return 0
}

complete -o bashdefault -o default -F _pmadmin pmadmin
`;
}
