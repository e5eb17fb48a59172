// Which global options a command's help lists beside its own: all of them, except `--dry-run`
// on commands that change nothing and `-y/--yes` on commands that never ask. One table here
// (rather than a mark in each command file); test/integration/hardening-help.test.ts checks it
// names real commands and json-docs.test.ts that every document with `dryRun` is listed.
import type { Command, Option } from "commander";

/** Commands that change something: `--dry-run` shows what they would do. */
export const CHANGING: ReadonlySet<string> = new Set([
  "workspace-backup",
  "workspace-restore",
  "flush-cache",
  "role create",
  "role activate",
  "role deactivate",
  "role grant",
  "role revoke",
  "user role",
  "expire-admin",
  "extend-admin",
  "platform permission grant",
  "platform permission revoke",
  "platform super-admin",
]);

/** Commands that change something and cannot show it first: `--dry-run` is refused (exit 2)
 *  rather than ignored, so `sandbox down --purge --dry-run` never removes a directory. */
export const NO_DRY_RUN: ReadonlySet<string> = new Set(["sandbox up", "sandbox down"]);

/** Commands that may ask before they change something: `-y/--yes` answers. */
export const ASKING: ReadonlySet<string> = new Set(["workspace-restore", "role deactivate"]);

export function commandPath(cmd: Command): string[] {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names;
}

/** The ancestors' options that apply to `cmd`, for its help's "Global Options" section. */
export function visibleGlobalOptions(cmd: Command): Option[] {
  const path = commandPath(cmd).join(" ");
  const own = new Set(cmd.options.map((o) => o.long));
  const applies = (o: Option): boolean =>
    !o.hidden &&
    o.long !== "--version" &&
    !own.has(o.long) &&
    (o.long !== "--dry-run" || CHANGING.has(path)) &&
    (o.long !== "--yes" || ASKING.has(path));
  const out: Option[] = [];
  for (let c = cmd.parent; c; c = c.parent) out.push(...c.options.filter(applies));
  return out;
}
