// `backups …`: looking after backups once written (cli-contract.md §Off-site storage, encryption
// and verification). Each subcommand registers itself from its own file.
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import { registerBackupsVerify } from "./backups-verify.js";

export function registerBackups(program: Command, bind: Binder): void {
  const backups = program
    .command("backups")
    .description("verify backups (read them whole, check every checksum and dump)");
  registerBackupsVerify(backups, bind);
}
