// kill -9 at several moments of an -o restore: after the next pmadmin command the live workspace is
// wholly old or wholly new, never mixed. PMADMIN_TEST_PAUSE_AT makes the run wait at a step.
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { adminDb, adminTarget } from "../helpers/db.js";
import { readJournal, recoverWorkspace } from "../../src/restore/journal.js";
import { runBin } from "../helpers/cli.js";
import { installWithPmArchive, restorePausedAt } from "../helpers/restore-fixture.js";
import { tableChecksums } from "../helpers/restore-compare.js";

// The archive is the "new" state; the live workspace then diverges and is the "old" state.
const fx = installWithPmArchive({ cases: 3 });

async function makeOld(): Promise<void> {
  const ws = fx.install.workspaces[0]!;
  await writeFile(path.join(ws.siteDir, "marker.txt"), "old");
  const db = await adminDb(ws.database);
  try {
    await db.execute("CREATE TABLE IF NOT EXISTS OLD_ONLY (x int)");
  } finally {
    await db.close();
  }
}

async function state(): Promise<"old" | "new" | "mixed"> {
  const ws = fx.install.workspaces[0]!;
  const fileOld = await readFile(path.join(ws.siteDir, "marker.txt"), "utf8").then(
    () => true,
    () => false,
  );
  const tables = Object.keys(await tableChecksums(ws.database));
  const dbOld = tables.includes("OLD_ONLY");
  const db = await adminDb(ws.database);
  let triggers = 0;
  try {
    triggers = Number(
      (
        await db.query(
          "SELECT COUNT(*) AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?",
          [ws.database],
        )
      )[0]?.["n"],
    );
  } finally {
    await db.close();
  }
  if (triggers < 4 || tables.length < 10) return "mixed";
  if (fileOld && dbOld) return "old";
  if (!fileOld && !dbOld) return "new";
  return "mixed";
}

async function accountHosts(user: string): Promise<string[]> {
  const db = await adminDb();
  try {
    return (
      await db.query<{ h: string }>("SELECT Host AS h FROM mysql.user WHERE User = ?", [user])
    ).map((r) => r.h);
  } finally {
    await db.close();
  }
}

async function killAt(step: string): Promise<void> {
  const r = await restorePausedAt(step, ["-o", fx.archive.file], fx.install.env());
  r.child.kill("SIGKILL");
  await r.child;
}

describe("kill -9 during workspace-restore -o", { timeout: 400_000 }, () => {
  for (const [step, expected] of [
    ["loading", "old"],
    ["staged", "old"],
    ["swap-db", "old"],
    ["db-swapped", "new"],
    ["files-swapped", "new"],
  ] as const) {
    it(`killed at ${step}: the next run leaves it wholly ${expected}`, async () => {
      await makeOld();
      expect(await state()).toBe("old");
      await killAt(step);
      const loaders = (await readJournal(fx.install.sharedDir, fx.install.workspaces[0]!.name))
        ?.loaders;
      if (step === "loading") expect(loaders).toHaveLength(1);
      // Recovery alone (what the next pmadmin command runs first) leaves it wholly old or wholly new.
      const outcome = await recoverWorkspace({
        sharedDir: fx.install.sharedDir,
        workspace: fx.install.workspaces[0]!.name,
        admin: () => Promise.resolve(adminTarget()),
        env: {},
        log: () => undefined,
      });
      expect(outcome).toBe(expected === "old" ? "rolled-back" : "completed");
      expect(await state()).toBe(expected);
      // The temporary loading account does not outlive the run that made it.
      for (const l of loaders ?? []) expect(await accountHosts(l.user)).toEqual([]);
      await makeOld();
      await killAt(step);
      const rec = await runBin(["workspace-restore", "-o", "--yes", fx.archive.file], {
        env: { ...fx.install.env(), PMADMIN_TEST_PAUSE_AT: "never" },
      });
      expect(rec.exitCode, rec.stderr).toBe(0);
      expect(rec.stderr).toMatch(expected === "old" ? /rolling back/ : /completing the swap/);
      expect(await state()).toBe("new");
      const sites = await readdir(path.join(fx.install.sharedDir, "sites"));
      expect(sites.filter((s) => s.startsWith(".pmadmin"))).toEqual([]);
    });
  }

  it("any later command on the installation (here: info) repairs an abandoned restore first", async () => {
    await makeOld();
    await killAt("db-swapped");
    const r = await runBin(["info", fx.install.workspaces[0]!.name], { env: fx.install.env() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/completing the swap/);
    expect(await state()).toBe("new");
    await makeOld();
    await killAt("swap-db");
    const again = await runBin(["info", "--json"], { env: fx.install.env() });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/rolling back/);
    expect(await state()).toBe("old");
    // staging directories are never mistaken for workspaces
    const names = (
      JSON.parse(again.stdout) as { workspaces: Array<{ name: string }> }
    ).workspaces.map((w) => w.name);
    expect(names).toEqual([fx.install.workspaces[0]!.name]);
  });
});
