// What restore tests share: an installation with one provisioned workspace and a ProcessMaker-made
// archive of it (made once per test file), and the built binary run in the background — a restore
// paused at a step by PMADMIN_TEST_PAUSE_AT (run-journal.ts), to be killed there.
import { execa } from "execa";
import { afterAll, beforeAll } from "vitest";
import { BIN } from "./cli.js";
import { createTestInstall, type TestInstall } from "./install.js";
import { buildPmArchive, type PmArchive } from "./pm-archive.js";

export interface InstallWithArchive {
  readonly install: TestInstall;
  /** A ProcessMaker-made archive of the workspace as provisioned. */
  readonly archive: PmArchive;
}

/** Registers beforeAll/afterAll that make and remove them; read the fields inside tests. */
export function installWithPmArchive(o: { cases: number }): InstallWithArchive {
  let install: TestInstall | undefined;
  let archive: PmArchive | undefined;
  beforeAll(async () => {
    install = await createTestInstall({ workspaces: 1, cases: o.cases });
    archive = await buildPmArchive(install.workspaces[0]!);
  });
  afterAll(async () => {
    await archive?.cleanup();
    await install?.cleanup();
  });
  const made = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error("installWithPmArchive: read it inside a test");
    return x;
  };
  return {
    get install() {
      return made(install);
    },
    get archive() {
      return made(archive);
    },
  };
}

/** pmadmin in a child process; its stderr so far. */
export function spawnBin(args: readonly string[], env: Record<string, string>) {
  const child = execa(process.execPath, [BIN, ...args], { env, reject: false, stdin: "ignore" });
  let err = "";
  child.stderr?.on("data", (c: Buffer) => (err += c.toString()));
  return { child, stderr: () => err };
}
export type Spawned = ReturnType<typeof spawnBin>;

export async function until(what: string, cond: () => boolean, timeoutMs = 150_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `workspace-restore ARGS` started with PMADMIN_TEST_PAUSE_AT=step, once it waits there. */
export async function restorePausedAt(
  step: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<Spawned> {
  const r = spawnBin(["workspace-restore", ...args], { ...env, PMADMIN_TEST_PAUSE_AT: step });
  await until(`the restore to pause at ${step}`, () =>
    r.stderr().includes(`paused at ${step}`),
  ).catch((error: unknown) => {
    r.child.kill("SIGKILL");
    throw new Error(`${String(error)}; its stderr: ${r.stderr()}`);
  });
  return r;
}
