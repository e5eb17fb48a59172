// `backups …`: what lies in a backup location (cli-contract.md §Off-site storage). Each
// subcommand lives in its own file (backups-list.ts, …) and registers itself here.
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import { registerBackupsList } from "./backups-list.js";

export function registerBackups(program: Command, bind: Binder): void {
  const backups = program
    .command("backups")
    .description("the backups in a directory or an s3:// prefix (list)");
  registerBackupsList(backups, bind);
}
