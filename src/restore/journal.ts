// Public entry for crash recovery: other commands that touch a workspace call recoverWorkspace()
// first, so a restore killed mid-swap is completed or rolled back before anything else happens.
import { readdir } from "node:fs/promises";
import type { DbTarget } from "../db/types.js";
import { journalDir, ownerAlive, readJournal } from "./journal-file.js";
import { recoverWorkspace } from "./swap.js";
export { recoverWorkspace, type RecoverOptions, type RecoveryOutcome } from "./swap.js";
export { journalPath, readJournal, type Journal, type JournalStep } from "./journal-file.js";

/**
 * Finishes or rolls back every restore in this installation whose process died (kill -9, power
 * loss). Restores still running are left alone. Called whenever a command locates the
 * installation, so "the next pmadmin command" repairs a workspace before anything reads it.
 */
export async function recoverAbandonedRestores(o: {
  sharedDir: string;
  admin: () => Promise<DbTarget>;
  env: Readonly<Record<string, string | undefined>>;
  log: (message: string) => void;
}): Promise<string[]> {
  let files: string[];
  try {
    files = (await readdir(journalDir(o.sharedDir))).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  const recovered: string[] = [];
  for (const file of files) {
    const j = await readJournal(o.sharedDir, file.slice(0, -".json".length));
    if (!j || ownerAlive(j)) continue;
    await recoverWorkspace({
      sharedDir: o.sharedDir,
      workspace: j.workspace,
      admin: o.admin,
      env: o.env,
      log: o.log,
    });
    recovered.push(j.workspace);
  }
  return recovered;
}
