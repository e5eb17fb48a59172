// `backups …`: what lies in a backup location and whether it restores (cli-contract.md §Off-site
// storage, encryption and verification). Each subcommand lives in its own file (backups-list.ts,
// backups-verify.ts) and registers itself here.
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import { registerBackupsList } from "./backups-list.js";
import { registerBackupsVerify } from "./backups-verify.js";

export function registerBackups(program: Command, bind: Binder): void {
  const backups = program
    .command("backups")
    .description(
      "the backups in a directory or an s3:// prefix (list), and whether they restore (verify)",
    );
  registerBackupsList(backups, bind);
  registerBackupsVerify(backups, bind);
}
