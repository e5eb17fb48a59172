// One backup, restore or cache flush per workspace at a time, across processes: a proper-lockfile lock
// (an atomic mkdir, kept fresh by touching its mtime) at <shared>/.pmadmin-locks/<ws>.lock, plus
// an owner file <ws>.owner.json beside it naming the holder so the second run can say who it is.
//
// Public API (workspace-restore reuses it; keep it stable):
//   acquireWorkspaceLocks(o): Promise<WorkspaceLocks>   all or nothing, in sorted order (no deadlock)
//   WorkspaceLocks.assertHeld()   throws LOCK.LOST if a lock was taken over (call before a rename/swap)
//   WorkspaceLocks.release()      idempotent
//   readLockHolder(sharedDir, ws): Promise<LockHolder | undefined>
//   lockDir(sharedDir): string
// A held lock refuses with LOCK.HELD (exit 3) naming the holder's pid, operation and start time.
// Stale locks are taken over: at once when the owner file names a dead pid on this host, else
// when the lock's mtime has not been refreshed for STALE_MS (a killed or frozen run).
// Names are folded to lower case because ProcessMaker compares workspace names case-insensitively.
import { hostname } from "node:os";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import lockfile from "proper-lockfile";
import { failure, refused } from "../errors.js";
import { pidAlive } from "../exec/pid.js";

export const STALE_MS = 10_000;

export type LockOperation = "backup" | "restore" | "flush-cache";

export interface LockHolder {
  pid: number;
  host: string;
  operation: string;
  workspace: string;
  since: string;
}

export interface WorkspaceLocks {
  readonly workspaces: readonly string[];
  assertHeld(): void;
  release(): Promise<void>;
}

export function lockDir(sharedDir: string): string {
  return path.join(sharedDir, ".pmadmin-locks");
}

function paths(sharedDir: string, ws: string): { target: string; lock: string; owner: string } {
  const base = path.join(lockDir(sharedDir), ws.toLowerCase());
  return { target: base, lock: `${base}.lock`, owner: `${base}.owner.json` };
}

export async function readLockHolder(
  sharedDir: string,
  ws: string,
): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(paths(sharedDir, ws).owner, "utf8")) as LockHolder;
  } catch {
    return undefined;
  }
}

/**
 * A lock whose owner file names a process on this host that no longer exists. (Should a third run
 * remove a lock that a second one has just taken over, the second notices at its next refresh and
 * stops with LOCK.LOST before renaming anything.)
 */
async function deadOwner(sharedDir: string, ws: string): Promise<boolean> {
  const holder = await readLockHolder(sharedDir, ws);
  return (
    holder !== undefined &&
    holder.host === hostname() &&
    holder.pid !== process.pid &&
    !pidAlive(holder.pid)
  );
}

async function acquireOne(
  sharedDir: string,
  ws: string,
  op: LockOperation,
  onLost: (e: Error) => void,
): Promise<() => Promise<void>> {
  const p = paths(sharedDir, ws);
  const options = {
    realpath: false,
    lockfilePath: p.lock,
    stale: STALE_MS,
    retries: 0,
    onCompromised: onLost,
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(p.target, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
    if (!(await deadOwner(sharedDir, ws))) {
      const h = await readLockHolder(sharedDir, ws);
      const who = h
        ? `pid ${h.pid} on ${h.host}, ${h.operation} since ${h.since}`
        : "another pmadmin run";
      throw refused("LOCK.HELD", `Workspace '${ws}' is locked by ${who}.`, {
        hint: `Wait for that run to finish. A lock left by a killed run is taken over automatically (at once if its pid is gone, else after ${STALE_MS / 1000} s); it is ${p.lock}.`,
        details: h ? { holder: h } : undefined,
      });
    }
    await rm(p.lock, { recursive: true, force: true });
    release = await lockfile.lock(p.target, options);
  }
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    operation: op,
    workspace: ws,
    since: new Date().toISOString(),
  };
  await writeFile(p.owner, `${JSON.stringify(holder)}\n`, { mode: 0o644 });
  return async () => {
    await rm(p.owner, { force: true });
    await release().catch(() => undefined);
  };
}

export async function acquireWorkspaceLocks(o: {
  sharedDir: string;
  workspaces: readonly string[];
  operation: LockOperation;
}): Promise<WorkspaceLocks> {
  try {
    await mkdir(lockDir(o.sharedDir), { recursive: true, mode: 0o755 });
  } catch (error) {
    throw failure(
      "LOCK.DIR",
      `Cannot create the lock directory ${lockDir(o.sharedDir)}: ${(error as Error).message}`,
      {
        hint: "Run pmadmin as a user that can write to the shared directory.",
      },
    );
  }
  const names = [...new Set(o.workspaces.map((w) => w.toLowerCase()))].sort();
  const releases: Array<() => Promise<void>> = [];
  let lost: Error | undefined;
  const releaseAll = async (): Promise<void> => {
    while (releases.length > 0) await releases.pop()?.();
  };
  try {
    for (const ws of names) {
      releases.push(
        await acquireOne(o.sharedDir, ws, o.operation, (e) => {
          lost ??= e;
        }),
      );
    }
  } catch (error) {
    await releaseAll();
    throw error;
  }
  return {
    workspaces: names,
    assertHeld() {
      if (lost) {
        throw failure(
          "LOCK.LOST",
          `The workspace lock was lost (${lost.message}); another run may have taken it over.`,
          {
            hint: "Nothing was renamed into place. Run the command again.",
          },
        );
      }
    },
    release: releaseAll,
  };
}
