// pmadmin(1) in roff, generated from the command tree by scripts/gen-man.mjs at build time, so
// the man page lists exactly what `--help` does. Only the sections help has no place for (exit
// status, environment, files) are written here.
import { allCommands, type CommandSpec, type OptionSpec } from "./tree.js";

/**
 * Text for roff: backslashes and hyphens escaped, non-ASCII characters as \[uXXXX] (portable
 * across groff and mandoc), no line starting with a control character.
 */
export function roffText(text: string): string {
  return text
    .replace(/\\/g, "\\e")
    .replace(/-/g, "\\-")
    .replace(
      /[\u{80}-\u{10FFFF}]/gu,
      (c) => `\\[u${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}]`,
    )
    .split("\n")
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join("\n");
}

function optionItems(options: readonly OptionSpec[]): string[] {
  return options.flatMap((o) => [".TP", `.B ${roffText(o.flags)}`, roffText(o.description)]);
}

function commandSection(c: CommandSpec): string[] {
  const names = [c.name, ...c.aliases].join(" | ");
  const lines = [
    `.SS ${roffText(`pmadmin ${[...c.path.slice(0, -1), names].join(" ")}`)}`,
    `.B pmadmin ${roffText(c.path.join(" "))}`,
    roffText(c.usage),
    ".PP",
    roffText(c.description),
  ];
  const args = c.arguments.filter((a) => a.description !== "");
  if (args.length > 0) {
    lines.push(".PP", "Arguments:");
    lines.push(...args.flatMap((a) => [".TP", `.I ${roffText(a.name)}`, roffText(a.description)]));
  }
  const options = c.options.filter((o) => o.long !== "--help");
  if (options.length > 0) lines.push(".PP", "Options:", ...optionItems(options));
  return lines;
}

const EXIT_STATUS: ReadonlyArray<readonly [string, string]> = [
  ["0", "success"],
  ["1", "the operation failed (server unreachable, dump failed, archive corrupt, ...)"],
  ["2", "usage error or invalid input"],
  [
    "3",
    "refused by a safeguard (cross-platform restore, existing workspace without -o, lock held)",
  ],
  ["4", "the command ran and found problems (check-integrity findings, admin expiring)"],
  ["130", "interrupted (SIGINT/SIGTERM); nothing half-written is left under a final name"],
];

const ENVIRONMENT: ReadonlyArray<readonly [string, string]> = [
  ["PM_INSTALL_DIR", "ProcessMaker root (--install-dir), default /opt/processmaker"],
  ["PM_SHARED_DIR", "shared directory (--shared-dir), default PATH_DATA from paths_installed.php"],
  [
    "PM_DB_ADMIN_URL",
    "mysql://user:password@host:port of an account that may create databases and users",
  ],
  ["PM_DB_SOCKET", "the local server's Unix socket, used for a host of localhost"],
  ["NO_COLOR", "disable colour (also --no-color)"],
];

function table(rows: ReadonlyArray<readonly [string, string]>): string[] {
  return rows.flatMap(([term, text]) => [".TP", `.B ${roffText(term)}`, roffText(text)]);
}

export function manPage(root: CommandSpec, version: string): string {
  const commands = allCommands(root).filter((c) => c.path[0] !== "help");
  const lines = [
    `.\\" pmadmin(1), generated from \`pmadmin --help\` by scripts/gen-man.mjs; do not edit.`,
    `.TH PMADMIN 1 "" "pmadmin ${roffText(version)}" "User Commands"`,
    ".SH NAME",
    `pmadmin \\- ${roffText(root.description)}`,
    ".SH SYNOPSIS",
    ".B pmadmin",
    "[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]",
    ".SH DESCRIPTION",
    roffText(
      "pmadmin mirrors ProcessMaker 3's own processmaker CLI (same command names, option letters and archive format). Global options work before or after the command. Results go to stdout; progress, warnings and errors to stderr.",
    ),
    ".SH GLOBAL OPTIONS",
    ...optionItems(root.options),
    ".SH COMMANDS",
    ...commands.flatMap(commandSection),
    ".SH EXIT STATUS",
    ...table(EXIT_STATUS),
    ".SH ENVIRONMENT",
    ...table(ENVIRONMENT),
    ".SH SEE ALSO",
    roffText(
      "pmadmin help COMMAND, and the README and docs/ shipped with the package (npm root -g)/pmadmin/.",
    ),
  ];
  return `${lines.join("\n")}\n`;
}
