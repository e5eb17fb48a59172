// SIGTERM in the first half second of a backup: while Node.js loads pmadmin, while it reads the
// installation, while it takes the lock. Every moment must give exit 130 and leave nothing: no
// temporary archive under the target's name, no staged dump, no option-file directory in $TMPDIR,
// no lock. A table lock held by the test stalls mariadb-dump, so the backup cannot finish first.
//
// The one moment no program can answer: Node.js's own start-up, before pmadmin's first line runs
// (some 30–100 ms after spawn, more on a busy machine). A signal then ends the process by the
// signal's default action, and nothing exists yet to be left behind. So at 0 and 50 ms the test
// accepts that ending too (with no output and no debris); from 150 ms on it demands 130.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
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

beforeAll(async () => {
  install = await createTestInstall({ cases: 5 });
  ws = install.workspaces[0] as TestInstall["workspaces"][number];
  backups = path.join(install.sharedDir, "backups");
  hold = await adminDb(ws.database);
  await hold.execute("LOCK TABLES APPLICATION WRITE");
});
afterAll(async () => {
  await hold?.execute("UNLOCK TABLES").catch(() => undefined);
  await hold?.close();
  await install?.cleanup();
});

const listing = async (dir: string): Promise<string[]> =>
  (await readdir(dir).catch(() => [] as string[])).sort();

describe("SIGTERM early in a backup", () => {
  for (const delayMs of [0, 50, 150, 300, 500]) {
    const mayPrecedeNode = delayMs < 150;
    it(`at ${delayMs} ms: exit 130, nothing left behind`, async () => {
      const tmp = await mkdtemp(path.join(tmpdir(), "pmadmin-early-tmp-"));
      try {
        const before = await listing(backups);
        const child = execa(process.execPath, [BIN, "workspace-backup", ws.name, "early.tar.gz"], {
          env: { ...install.env(), TMPDIR: tmp },
          reject: false,
        });
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        child.kill("SIGTERM");
        const r = await child;
        if (mayPrecedeNode && r.signal === "SIGTERM") {
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
});
