// Readers never see a half-swapped workspace: while a `workspace-restore -o` is swapping (its
// journal at a swap step, its process alive) every other pmadmin command waits when it locates
// the installation, says so once on stderr, and goes on once the swap is over — here because the
// paused restore is killed and the reader's own recovery rolls it back. Ctrl-C while waiting
// exits 130 at once. And check-integrity in a loop during real restores never reports missing
// tables.
import { describe, expect, it } from "vitest";
import { runBin } from "../helpers/cli.js";
import { adminDb } from "../helpers/db.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { buildPmArchive, type PmArchive } from "../helpers/pm-archive.js";
import {
  installWithPmArchive,
  restorePausedAt,
  spawnBin,
  until,
  type Spawned,
} from "../helpers/restore-fixture.js";

const PAD_TABLES = 150;
const fx = installWithPmArchive({ cases: 3 });

function start(args: string[]): Spawned {
  return spawnBin(args, fx.install.env());
}

async function restorePausedAtSwap(): Promise<Spawned> {
  return restorePausedAt("swap-db", ["-o", fx.archive.file], fx.install.env());
}

interface IntegrityDoc {
  workspaces: Array<{
    error: string | null;
    checks: Array<{ id: string; status: string; count: number }>;
  }>;
}

function missingTables(stdout: string): number {
  const doc = JSON.parse(stdout) as IntegrityDoc;
  const ws = doc.workspaces[0]!;
  expect(ws.error).toBeNull();
  const check = ws.checks.find((c) => c.id === "storage.missing-tables")!;
  expect(check.status).not.toBe("failed");
  return check.count;
}

describe("readers during a restore's swap", { timeout: 400_000 }, () => {
  it("check-integrity waits while the swap is in progress and reads a whole workspace after", async () => {
    const ws = fx.install.workspaces[0]!.name;
    const restore = await restorePausedAtSwap();
    let exited = false;
    const reader = start(["check-integrity", "--json", ws]);
    void reader.child.then(() => (exited = true));
    await until("the waiting note", () => reader.stderr().includes("finish swapping"));
    expect(reader.stderr()).toContain(
      `waiting for the restore of '${ws}' (pid ${restore.child.pid})`,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(exited).toBe(false);

    restore.child.kill("SIGKILL");
    await restore.child;
    const r = await reader.child;
    expect(r.exitCode, reader.stderr()).toBe(0);
    // The note once; then the reader's own recovery rolled the dead restore back.
    expect(reader.stderr().match(/finish swapping/g)).toHaveLength(1);
    expect(reader.stderr()).toMatch(/rolling back/);
    expect(missingTables(String(r.stdout))).toBe(0);
  });

  it("Ctrl-C while waiting exits 130 at once", async () => {
    const restore = await restorePausedAtSwap();
    try {
      const reader = start(["info", fx.install.workspaces[0]!.name]);
      await until("the waiting note", () => reader.stderr().includes("finish swapping"));
      const t0 = Date.now();
      reader.child.kill("SIGINT");
      const r = await reader.child;
      expect(r.exitCode, reader.stderr()).toBe(130);
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(reader.stderr()).toContain("pmadmin: error [INTERRUPTED]");
    } finally {
      restore.child.kill("SIGKILL");
      await restore.child;
    }
    // The next command repairs the abandoned restore.
    const after = await runBin(["info", fx.install.workspaces[0]!.name], { env: fx.install.env() });
    expect(after.exitCode, after.stderr).toBe(0);
    expect(after.stderr).toMatch(/rolling back/);
  });

  it("check-integrity in a loop during real restores never reports missing tables", async () => {
    // Many tables make the swap's RENAME long enough for readers to run into it.
    const big = await createTestInstall({ workspaces: 1, cases: 3 });
    const bigWs = big.workspaces[0]!;
    const db = await adminDb(bigWs.database);
    try {
      for (let i = 0; i < PAD_TABLES; i++)
        await db.execute(`CREATE TABLE PAD_${String(i).padStart(4, "0")} (id int primary key)`);
    } finally {
      await db.close();
    }
    const bigArchive = await buildPmArchive(bigWs);
    try {
      await readersDuringRestores(big, bigArchive);
    } finally {
      await bigArchive.cleanup();
      await big.cleanup();
    }
  });
});

/** check-integrity looped by two readers at once during three real `workspace-restore -o`. */
async function readersDuringRestores(install: TestInstall, archive: PmArchive): Promise<void> {
  const ws = install.workspaces[0]!.name;
  let restoring = true;
  const results: Array<{ exitCode: number; missing: number; stderr: string }> = [];
  const loopOnce = async (): Promise<void> => {
    while (restoring) {
      const r = await runBin(["check-integrity", "--json", ws], { env: install.env() });
      results.push({
        exitCode: r.exitCode,
        missing: r.exitCode === 0 || r.exitCode === 4 ? missingTables(r.stdout) : -1,
        stderr: r.stderr,
      });
    }
  };
  // Two readers at once, so some of them start, or are reading, while a swap is under way.
  const loop = Promise.all([loopOnce(), loopOnce()]);
  try {
    for (let i = 0; i < 3; i++) {
      const r = await runBin(["workspace-restore", "-o", "--yes", archive.file], {
        env: install.env(),
      });
      expect(r.exitCode, r.stderr).toBe(0);
    }
  } finally {
    restoring = false;
    await loop;
  }
  expect(results.length).toBeGreaterThan(3);
  for (const r of results) {
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.missing).toBe(0);
  }
}
