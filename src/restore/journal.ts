// Public entry for crash recovery: other commands that touch a workspace call recoverWorkspace()
// first, so a restore killed mid-swap is completed or rolled back before anything else happens.
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { DbTarget } from "../db/types.js";
import { failure, interrupted } from "../errors.js";
import {
  journalDir,
  journalPath,
  ownerAlive,
  readJournal,
  type Journal,
  type JournalStep,
} from "./journal-file.js";
import { recoverWorkspace } from "./swap.js";
export { recoverWorkspace, type RecoverOptions, type RecoveryOutcome } from "./swap.js";
export { journalPath, readJournal, type Journal, type JournalStep } from "./journal-file.js";

/**
 * Steps during which the live workspace is being replaced: views and triggers dropped, a
 * multi-table RENAME that information_schema readers can see half done, files being renamed.
 * During "staging" the live workspace is untouched, so nobody needs to wait then.
 */
export const SWAP_STEPS: ReadonlySet<JournalStep> = new Set<JournalStep>([
  "swap-db",
  "db-swapped",
  "files-swapped",
]);

/** A swap takes seconds; this bounds a reader's wait when the restore is stuck. */
export const SWAP_WAIT_MS = 120_000;

export interface SwapWaitOptions {
  /** Ctrl-C / SIGTERM: stop waiting at once (exit 130). */
  signal?: AbortSignal | undefined;
  /** Printed once, when the wait starts. */
  note?: ((message: string) => void) | undefined;
  timeoutMs?: number | undefined;
  pollMs?: number | undefined;
}

/**
 * Waits while another live pmadmin process is swapping `workspace` (its journal is at a swap
 * step), polling the journal file. Returns the journal as it is afterwards: undefined when the
 * restore finished, or one at a non-swap step, or one whose owner died (recovery's job). The
 * calling process never waits on its own journal.
 */
export async function waitWhileSwapping(
  sharedDir: string,
  workspace: string,
  o: SwapWaitOptions = {},
): Promise<Journal | undefined> {
  const timeoutMs = o.timeoutMs ?? SWAP_WAIT_MS;
  const deadline = Date.now() + timeoutMs;
  let noted = false;
  for (;;) {
    if (o.signal?.aborted) throw interrupted();
    const j = await readJournal(sharedDir, workspace);
    if (!j || !SWAP_STEPS.has(j.step) || !ownerAlive(j)) return j;
    if (!noted) {
      o.note?.(`waiting for the restore of '${j.workspace}' (pid ${j.pid}) to finish swapping…`);
      noted = true;
    }
    if (Date.now() >= deadline) {
      throw failure(
        "RESTORE.SWAP_TIMEOUT",
        `The restore of workspace '${j.workspace}' (pid ${j.pid}) has been swapping it in for more than ${Math.round(timeoutMs / 1000)} s; gave up waiting to read it half swapped.`,
        {
          hint: `Check process ${j.pid}; once it has ended, the next pmadmin command completes or rolls back the swap. If that pid is not pmadmin, remove ${journalPath(sharedDir, j.workspace)}.`,
        },
      );
    }
    try {
      await sleep(o.pollMs ?? 100, undefined, o.signal ? { signal: o.signal } : {});
    } catch {
      throw interrupted();
    }
  }
}

/**
 * Finishes or rolls back every restore in this installation whose process died (kill -9, power
 * loss), and first waits while a live one is swapping its workspace in (so a reader never sees
 * half a swap). Restores still staging are left alone. Called whenever a command locates the
 * installation, so "the next pmadmin command" repairs a workspace before anything reads it.
 */
export async function recoverAbandonedRestores(o: {
  sharedDir: string;
  admin: () => Promise<DbTarget>;
  env: Readonly<Record<string, string | undefined>>;
  log: (message: string) => void;
  signal?: AbortSignal | undefined;
  /** Where the "waiting for the restore … to finish swapping" note goes. */
  note?: ((message: string) => void) | undefined;
  swapWaitMs?: number | undefined;
}): Promise<string[]> {
  let files: string[];
  try {
    files = (await readdir(journalDir(o.sharedDir))).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  const recovered: string[] = [];
  for (const file of files) {
    const j = await waitWhileSwapping(o.sharedDir, file.slice(0, -".json".length), {
      signal: o.signal,
      note: o.note,
      timeoutMs: o.swapWaitMs,
    });
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

/**
 * A fingerprint of the journal directory: its mtime and every journal's inode. Every journal
 * write (a new file renamed into place) and removal changes it, so two equal stamps around a
 * read mean no restore of this installation moved a step in between.
 */
export async function journalStamp(sharedDir: string): Promise<string> {
  const dir = journalDir(sharedDir);
  try {
    const parts = [String((await stat(dir, { bigint: true })).mtimeNs)];
    for (const f of (await readdir(dir)).filter((n) => n.endsWith(".json")).sort()) {
      const ino = await stat(path.join(dir, f), { bigint: true }).then(
        (st) => String(st.ino),
        () => "gone",
      );
      parts.push(`${f}:${ino}`);
    }
    return parts.join("|");
  } catch {
    return "none";
  }
}

/** Whether any journal (live owner or not) is at a swap step right now. */
export async function swapUnderWay(sharedDir: string): Promise<boolean> {
  let files: string[];
  try {
    files = (await readdir(journalDir(sharedDir))).filter((f) => f.endsWith(".json"));
  } catch {
    return false;
  }
  for (const f of files) {
    const j = await readJournal(sharedDir, f.slice(0, -".json".length)).catch(() => undefined);
    if (j && SWAP_STEPS.has(j.step)) return true;
  }
  return false;
}

/** How many times a read is retried because restores kept moving under it. */
export const STABLE_READ_ATTEMPTS = 5;

/**
 * Runs a read of the installation's workspaces so that it never reflects half a swap: waits for
 * (or recovers) swaps first, and runs the read again when a restore moved a step while it ran
 * (a swap may have begun after the wait — the wait alone cannot see that).
 */
export async function readWhole<T>(o: {
  sharedDir: string;
  /** Waits for live swaps and recovers dead ones (recoverAbandonedRestores with the command's options). */
  settle: () => Promise<unknown>;
  read: () => Promise<T>;
  attempts?: number | undefined;
  onRetry?: ((attempt: number) => void) | undefined;
}): Promise<T> {
  const attempts = o.attempts ?? STABLE_READ_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    await o.settle();
    const before = await journalStamp(o.sharedDir);
    // A swap that began between settle() and the stamp: settle again.
    const moving = await swapUnderWay(o.sharedDir);
    if (!moving) {
      const result = await o.read();
      if ((await journalStamp(o.sharedDir)) === before) return result;
    }
    if (attempt >= attempts) {
      throw failure(
        "RESTORE.SWAP_BUSY",
        `Restores kept swapping workspaces in while they were being read (${attempts} attempts); nothing was reported from a half-swapped workspace.`,
        { hint: "Run the command again once the restores have finished." },
      );
    }
    o.onRetry?.(attempt);
  }
}
