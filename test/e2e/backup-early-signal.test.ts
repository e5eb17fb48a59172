// SIGTERM in the first half second of a backup: while Node.js loads pmadmin, while it reads the
// installation, while it takes the lock. Every moment must give exit 130 and leave nothing: no
// temporary archive under the target's name, no staged dump, no option-file directory in $TMPDIR,
// no lock. A table lock held by the test stalls mariadb-dump, so the backup cannot finish first.
//
// The one moment no program can answer is Node.js's own start-up, before pmadmin's first line
// installs its handlers (tens of milliseconds after spawn, far more on a busy machine): a signal
// then ends the process by the default action, and nothing exists yet to be left behind. A
// preload (test instrumentation only) marks the moment the first SIGTERM listener is added; a
// signal sent after that must give 130, one sent before may only end the process with no output
// and no debris. The delays are from spawn, as a user's Ctrl-C would be.
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/types.js";
import { lockDir } from "../../src/lock/workspace-lock.js";
import { BIN } from "../helpers/cli.js";
import { adminDb } from "../helpers/db.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

let install: TestInstall;
let ws: TestInstall["workspaces"][number];
let backups: string;
let hold: Db;
let marks: string;
let preload: string;

beforeAll(async () => {
  install = await createTestInstall({ cases: 5 });
  ws = install.workspaces[0] as TestInstall["workspaces"][number];
  backups = path.join(install.sharedDir, "backups");
  marks = await mkdtemp(path.join(tmpdir(), "pmadmin-early-marks-"));
  preload = path.join(marks, "mark-handlers.mjs");
  await writeFile(
    preload,
    `import { writeFileSync } from "node:fs";
process.on("newListener", (event) => {
  if (event === "SIGTERM") writeFileSync(process.env.PMADMIN_TEST_MARK, "");
});
`,
  );
  hold = await adminDb(ws.database);
  await hold.execute("LOCK TABLES APPLICATION WRITE");
});
afterAll(async () => {
  await hold?.execute("UNLOCK TABLES").catch(() => undefined);
  await hold?.close();
  await install?.cleanup();
  if (marks) await rm(marks, { recursive: true, force: true });
});

const listing = async (dir: string): Promise<string[]> =>
  (await readdir(dir).catch(() => [] as string[])).sort();

describe("SIGTERM early in a backup", () => {
  for (const delayMs of [0, 50, 150, 300, 500]) {
    it(`at ${delayMs} ms: exit 130, nothing left behind`, async () => {
      const tmp = await mkdtemp(path.join(tmpdir(), "pmadmin-early-tmp-"));
      const mark = path.join(marks, `ready-${delayMs}`);
      try {
        const before = await listing(backups);
        const child = execa(
          process.execPath,
          [
            "--import",
            pathToFileURL(preload).href,
            BIN,
            "workspace-backup",
            ws.name,
            "early.tar.gz",
          ],
          { env: { ...install.env(), TMPDIR: tmp, PMADMIN_TEST_MARK: mark }, reject: false },
        );
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        const handlersInstalled = existsSync(mark);
        child.kill("SIGTERM");
        const r = await child;
        if (!handlersInstalled && r.signal === "SIGTERM") {
          // Still inside Node.js's start-up: no pmadmin code ran, so nothing may have been said.
          expect(r.stderr + r.stdout).toBe("");
        } else {
          expect(r.signal, r.stderr).toBeUndefined();
          expect(r.exitCode, r.stderr).toBe(130);
          expect(r.stderr).toContain("[INTERRUPTED]");
          expect(r.stderr).not.toMatch(/INTERNAL|\n\s+at .+:\d+:\d+/);
        }
        expect(await listing(backups)).toEqual(before);
        expect(await listing(tmp)).toEqual([]);
        expect(await listing(lockDir(install.sharedDir))).toEqual([]);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    });
  }

  it("a signal while the commands are still loading gives 130 (the handlers come first)", async () => {
    // Deterministic: wait for the handlers, then signal at once, long before main.js is loaded
    // and the backup is under way.
    const tmp = await mkdtemp(path.join(tmpdir(), "pmadmin-early-tmp-"));
    const mark = path.join(marks, "ready-at-once");
    try {
      const child = execa(
        process.execPath,
        ["--import", pathToFileURL(preload).href, BIN, "workspace-backup", ws.name, "early.tar.gz"],
        { env: { ...install.env(), TMPDIR: tmp, PMADMIN_TEST_MARK: mark }, reject: false },
      );
      while (!existsSync(mark)) await new Promise((r) => setTimeout(r, 1));
      child.kill("SIGTERM");
      const r = await child;
      expect(r.signal, r.stderr).toBeUndefined();
      expect(r.exitCode, r.stderr).toBe(130);
      expect(await listing(tmp)).toEqual([]);
      expect(await listing(lockDir(install.sharedDir))).toEqual([]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
