// Readers wait while another live restore swaps a workspace in (its journal at swap-db,
// db-swapped or files-swapped), never while it is only staging, never on their own journal;
// bounded, and Ctrl-C stops the wait at once. Real journal files and a real live process.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPmError } from "../../src/errors.js";
import {
  removeJournal,
  writeJournal,
  type Journal,
  type JournalStep,
} from "../../src/restore/journal-file.js";
import { readWhole, waitWhileSwapping } from "../../src/restore/journal.js";

let sharedDir: string;
let owner: ChildProcess;

beforeAll(async () => {
  sharedDir = await mkdtemp(path.join(tmpdir(), "pmadmin-swapwait-"));
  // Stands in for a restore that is still running.
  owner = spawn("sleep", ["300"], { stdio: "ignore" });
});
afterAll(async () => {
  owner?.kill("SIGKILL");
  await rm(sharedDir, { recursive: true, force: true });
});

function journal(step: JournalStep, pid: number): Journal {
  return {
    version: 1,
    workspace: "Acme",
    pid,
    startedAt: new Date().toISOString(),
    step,
    siteDir: path.join(sharedDir, "sites", "Acme"),
    stageDir: path.join(sharedDir, "sites", ".pmadmin-stage-Acme-x"),
    oldDir: path.join(sharedDir, "sites", ".pmadmin-old-Acme-x"),
    databases: [],
    createdUsers: [],
  };
}

async function outcome(
  p: Promise<unknown>,
): Promise<{ value?: unknown; code?: string; exit?: number }> {
  try {
    return { value: await p };
  } catch (error) {
    if (!isPmError(error)) throw error;
    return { code: error.code, exit: error.exitCode };
  }
}

describe("waitWhileSwapping", () => {
  it("a live restore that is staging does not make readers wait", async () => {
    await writeJournal(sharedDir, journal("staging", owner.pid!));
    const notes: string[] = [];
    const t0 = Date.now();
    const j = await waitWhileSwapping(sharedDir, "acme", { note: (m) => notes.push(m) });
    expect(j?.step).toBe("staging");
    expect(notes).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it("the restore's own process never waits on its own journal", async () => {
    await writeJournal(sharedDir, journal("swap-db", process.pid));
    const j = await waitWhileSwapping(sharedDir, "Acme", { timeoutMs: 100 });
    expect(j?.pid).toBe(process.pid);
  });

  it("waits while a live restore swaps, with one note, until its journal is gone", async () => {
    await writeJournal(sharedDir, journal("swap-db", owner.pid!));
    const notes: string[] = [];
    let settled = false;
    const waiting = waitWhileSwapping(sharedDir, "Acme", {
      note: (m) => notes.push(m),
      pollMs: 20,
    }).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    await writeJournal(sharedDir, journal("db-swapped", owner.pid!));
    await new Promise((r) => setTimeout(r, 200));
    expect(settled).toBe(false);
    await removeJournal(sharedDir, "Acme");
    expect(await waiting).toBeUndefined();
    expect(notes).toEqual([
      `waiting for the restore of 'Acme' (pid ${owner.pid}) to finish swapping…`,
    ]);
  });

  it("stops waiting when the owner dies mid-swap and hands the journal to recovery", async () => {
    const doomed = spawn("sleep", ["300"], { stdio: "ignore" });
    await writeJournal(sharedDir, journal("files-swapped", doomed.pid!));
    const waiting = waitWhileSwapping(sharedDir, "Acme", { pollMs: 20 });
    await new Promise((r) => setTimeout(r, 200));
    doomed.kill("SIGKILL");
    await new Promise((r) => doomed.once("exit", r));
    const j = await waiting;
    expect(j?.step).toBe("files-swapped");
    expect(j?.pid).toBe(doomed.pid);
    await removeJournal(sharedDir, "Acme");
  });

  it("gives up after the bound with RESTORE.SWAP_TIMEOUT (exit 1) naming the pid", async () => {
    await writeJournal(sharedDir, journal("db-swapped", owner.pid!));
    const t0 = Date.now();
    const r = await outcome(waitWhileSwapping(sharedDir, "Acme", { timeoutMs: 400, pollMs: 50 }));
    expect(r).toEqual({ code: "RESTORE.SWAP_TIMEOUT", exit: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    const message = await waitWhileSwapping(sharedDir, "Acme", { timeoutMs: 0 }).catch(
      (e: Error) => e.message,
    );
    expect(message).toContain(`pid ${owner.pid}`);
    await removeJournal(sharedDir, "Acme");
  });

  it("Ctrl-C while waiting stops at once with INTERRUPTED (exit 130)", async () => {
    await writeJournal(sharedDir, journal("swap-db", owner.pid!));
    const ac = new AbortController();
    const waiting = outcome(waitWhileSwapping(sharedDir, "Acme", { signal: ac.signal }));
    await new Promise((r) => setTimeout(r, 250));
    const t0 = Date.now();
    ac.abort();
    expect(await waiting).toEqual({ code: "INTERRUPTED", exit: 130 });
    expect(Date.now() - t0).toBeLessThan(200);
    await removeJournal(sharedDir, "Acme");
  });
});

describe("readWhole", () => {
  it("reads once when no restore moves, again when one moved a step during the read", async () => {
    let settles = 0;
    let reads = 0;
    const quiet = await readWhole({
      sharedDir,
      settle: () => Promise.resolve((settles += 1)),
      read: () => Promise.resolve(++reads),
    });
    expect([quiet, settles, reads]).toEqual([1, 1, 1]);

    // A restore writes its journal (here: still staging) while the first read runs.
    settles = 0;
    reads = 0;
    const again = await readWhole({
      sharedDir,
      settle: () => Promise.resolve((settles += 1)),
      read: async () => {
        reads += 1;
        if (reads === 1) await writeJournal(sharedDir, journal("staging", owner.pid!));
        return reads;
      },
    });
    expect([again, settles, reads]).toEqual([2, 2, 2]);
    await removeJournal(sharedDir, "Acme");
  });

  it("never reads while a journal is at a swap step; gives up with RESTORE.SWAP_BUSY", async () => {
    await writeJournal(sharedDir, journal("db-swapped", owner.pid!));
    let reads = 0;
    const r = await outcome(
      readWhole({
        sharedDir,
        settle: () => Promise.resolve(),
        read: () => Promise.resolve(++reads),
        attempts: 3,
      }),
    );
    expect(r).toEqual({ code: "RESTORE.SWAP_BUSY", exit: 1 });
    expect(reads).toBe(0);
    await removeJournal(sharedDir, "Acme");
  });
});
