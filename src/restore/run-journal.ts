// The journal of the restore this process is running: the one place that writes it during a run,
// and the one test seam of the kill tests. A journal entry is written *before* what it names is
// created (a run killed in between leaves nothing that rollback or recovery misses); recovery reads
// it back with readJournal() (journal-file.ts) and finishes or undoes the run (swap.ts).
import { randomBytes } from "node:crypto";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  removeJournal,
  writeJournal,
  type Journal,
  type JournalDb,
  type JournalStep,
} from "./journal-file.js";
import type { RestorePlan } from "./plan.js";

/**
 * Where a run can be: "loading" (the loader exists, the dumps are about to load) and "staged"
 * (everything is staged and checked) are moments of the journal's "staging" step, which recovery
 * always rolls back; the swap steps are written to the journal, and decide recovery's way out.
 */
export type RestoreStep = "loading" | "staged" | Exclude<JournalStep, "staging">;

/** Test hook: PMADMIN_TEST_PAUSE_AT=<step> makes the run wait there so a test can kill -9 it. */
const PAUSE_ENV = "PMADMIN_TEST_PAUSE_AT";

/** What a run records in its journal besides the step. */
export type JournalRecord = Partial<Pick<Journal, "createdUsers" | "replacedUsers" | "loaders">>;

export class RestoreJournal {
  private constructor(
    private readonly j: Journal,
    private readonly sharedDir: string,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly notice: (message: string) => void,
  ) {}

  /** Writes the journal of a new run of `plan`: staging names of its own, at step "staging". */
  static async begin(o: {
    plan: RestorePlan;
    sharedDir: string;
    sitesDir: string;
    env: Readonly<Record<string, string | undefined>>;
    /** Where the "paused at <step>" marker goes (always shown on stderr). */
    notice: (message: string) => void;
  }): Promise<RestoreJournal> {
    const journal = new RestoreJournal(
      newJournal(o.plan, o.sitesDir),
      o.sharedDir,
      o.env,
      o.notice,
    );
    await journal.write();
    return journal;
  }

  /** What recovery, rollback and the swap read (swap.ts takes the plain journal). */
  get state(): Journal {
    return this.j;
  }

  /**
   * The databases' entries. The object capture fills them in as it goes (so a rollback after a
   * failure half way knows which live database existed); the next record() writes them.
   */
  get databases(): JournalDb[] {
    return this.j.databases;
  }

  /** Records names in the journal, on disk before the run goes on. */
  async record(change: JournalRecord): Promise<void> {
    Object.assign(this.j, change);
    await this.write();
  }

  /** The run reached `step`: a swap step is written to the journal first. The test pause is here. */
  async advance(step: RestoreStep): Promise<void> {
    if (step !== "loading" && step !== "staged") {
      this.j.step = step;
      await this.write();
    }
    if (this.env[PAUSE_ENV] !== step) return;
    this.notice(`paused at ${step}`);
    await sleep(600_000);
  }

  async remove(): Promise<void> {
    await removeJournal(this.sharedDir, this.j.workspace);
  }

  private async write(): Promise<void> {
    await writeJournal(this.sharedDir, this.j);
  }
}

/** Staging and old names next to the live ones, random per run so runs never share one. */
function newJournal(plan: RestorePlan, sitesDir: string): Journal {
  const rand = randomBytes(3).toString("hex");
  const beside = (live: string, kind: "stage" | "old"): string =>
    `${live.slice(0, 40)}__pm${kind}_${rand}`;
  return {
    version: 1,
    workspace: plan.target,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    step: "staging",
    siteDir: path.join(sitesDir, plan.target),
    stageDir: path.join(sitesDir, `.pmadmin-stage-${plan.target}-${rand}`),
    oldDir: path.join(sitesDir, `.pmadmin-old-${plan.target}-${rand}`),
    databases: plan.databases.map((d) => ({
      live: d.target,
      stage: beside(d.target, "stage"),
      old: beside(d.target, "old"),
      liveExisted: false,
      stageTables: [],
      liveTables: [],
      newObjects: [],
      oldObjects: [],
    })),
    createdUsers: [],
  };
}
