// An archive laid out by ProcessMaker itself restores under a new name: identical tables and
// files, working db.php credentials, working triggers with the new user.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDbPhp } from "../../src/install/db-php.js";
import { runInProcess } from "../helpers/cli.js";
import { installWithPmArchive } from "../helpers/restore-fixture.js";
import { buildPmArchive, buildSplitArchive } from "../helpers/pm-archive.js";
import {
  tableChecksums,
  treeFingerprint,
  expectTriggersWorkAs,
} from "../helpers/restore-compare.js";

const fx = installWithPmArchive({ cases: 6 });

async function restoredDbPhp(name: string) {
  return parseDbPhp(
    await readFile(path.join(fx.install.sharedDir, "sites", name, "db.php"), "utf8"),
  );
}

async function expectSameAsSource(name: string): Promise<void> {
  const src = fx.install.workspaces[0]!;
  const db = await restoredDbPhp(name);
  fx.install.track(`wf_${name}`, db.wf.user);
  expect(db.wf.name).toBe(`wf_${name}`);
  expect(db.wf.user).not.toBe(src.dbUser);
  expect(await tableChecksums(`wf_${name}`)).toEqual(await tableChecksums(src.database));
  const skip = (rel: string) => rel === "db.php";
  expect(await treeFingerprint(path.join(fx.install.sharedDir, "sites", name), skip)).toEqual(
    await treeFingerprint(src.siteDir, skip),
  );
  // The new credentials connect, and the triggers (definer rewritten) work for the new user.
  await expectTriggersWorkAs(db.wf);
}

describe("workspace-restore of ProcessMaker-made archives", () => {
  it("-i describes the archive without changing anything (--json)", async () => {
    const r = await runInProcess(["workspace-restore", "-i", "--json", fx.archive.file], {
      env: fx.install.env(),
    });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      workspaces: Array<{ name: string; platform: string }>;
      checksums: string;
    };
    expect(doc.workspaces[0]!.name).toBe(fx.install.workspaces[0]!.name);
    expect(doc.workspaces[0]!.platform).toBe("linux");
    expect(doc.checksums).toBe("absent");
    expect(r.stdout).not.toContain(fx.install.workspaces[0]!.dbPassword);
  });

  it("restores a single .tar under a new name", async () => {
    const r = await runInProcess(["workspace-restore", "--json", fx.archive.file, "restoredpm"], {
      env: fx.install.env(),
    });
    expect(r.stderr, r.stdout).toBe("");
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as { workspace: string };
    expect(doc.workspace).toBe("restoredpm");
    expect(JSON.stringify(doc)).not.toMatch(/password/i);
    await expectSameAsSource("restoredpm");
  });

  it("restores a gzip engine-1 archive found by bare name in <shared>/backups", async () => {
    const a = await buildPmArchive(fx.install.workspaces[0]!, { engine1: true, gzip: true });
    try {
      const { copyFile } = await import("node:fs/promises");
      await copyFile(a.file, path.join(fx.install.sharedDir, "backups", "eng1.tar"));
      const r = await runInProcess(["workspace-restore", "eng1", "restoredeng1"], {
        env: fx.install.env(),
      });
      expect(r.exitCode, r.stderr).toBe(0);
      const db = await restoredDbPhp("restoredeng1");
      fx.install.track("wf_restoredeng1", db.wf.user);
      expect(Object.keys(await tableChecksums("wf_restoredeng1")).sort()).toEqual(
        Object.keys(await tableChecksums(fx.install.workspaces[0]!.database)).sort(),
      );
    } finally {
      await a.cleanup();
    }
  });

  it("restores a split -m archive with absolute PATH_DATA paths", async () => {
    const s = await buildSplitArchive(fx.install.workspaces[0]!, fx.install.sharedDir);
    try {
      const r = await runInProcess(["workspace-restore", "-m", s.base, "restoredsplit"], {
        env: fx.install.env(),
      });
      expect(r.exitCode, r.stderr).toBe(0);
      await expectSameAsSource("restoredsplit");
    } finally {
      await s.cleanup();
    }
  });
});
