// `sandbox up/status/down`: a whole installation on its own private server, like a new user gets.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pidAlive } from "../../src/exec/pid.js";
import { runBin } from "../helpers/cli.js";

const root = await mkdtemp(path.join(tmpdir(), "pmadmin-sandbox-e2e-"));
const dir = path.join(root, "sb");

afterAll(async () => {
  await runBin(["sandbox", "down", dir, "--purge"]);
  await rm(root, { recursive: true, force: true });
});

describe("pmadmin sandbox", () => {
  it("creates a complete installation that info can read, then stops and purges it", async () => {
    const up = await runBin([
      "sandbox",
      "up",
      dir,
      "--workspace",
      "demo_ws",
      "--cases",
      "5",
      "--json",
    ]);
    expect(up.stderr).not.toMatch(/error/i);
    expect(up.exitCode).toBe(0);
    const s = JSON.parse(up.stdout) as {
      running: boolean;
      pid: number;
      port: number;
      workspaces: string[];
      created: string[];
    };
    expect(s.running).toBe(true);
    expect(s.workspaces).toEqual(["demo_ws"]);
    expect(s.created).toEqual(["demo_ws"]);
    expect(pidAlive(s.pid)).toBe(true);

    // The layout ProcessMaker has: paths_installed.php, db.php, the workspace tree.
    const config = await readFile(
      path.join(dir, "workflow/engine/config/paths_installed.php"),
      "utf8",
    );
    expect(config).toMatch(/define\( 'HASH_INSTALLATION', '[^']+' \);/);
    const state = await readFile(path.join(dir, ".mariadb/server.json"), "utf8");
    const rootPassword = (JSON.parse(state) as { rootPassword: string }).rootPassword;
    expect(config).not.toContain(rootPassword); // scrambled, not in clear
    expect((await stat(path.join(dir, ".mariadb/server.json"))).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(dir, "shared/sites/demo_ws/db.php"))).toBe(true);

    const info = await runBin(["info", "--json"], { env: { PM_INSTALL_DIR: dir } });
    expect(info.exitCode).toBe(0);
    const doc = JSON.parse(info.stdout) as {
      system: { databaseServer: string };
      workspaces: Array<{ cases: number }>;
    };
    expect(doc.workspaces[0]!.cases).toBe(5);
    expect(doc.system.databaseServer).toMatch(/^MariaDB /); // admin credentials decoded from HASH_INSTALLATION
    expect(info.stdout).not.toContain(rootPassword);

    // Running `up` again reuses everything.
    const again = await runBin(["sandbox", "up", dir, "--workspace", "demo_ws", "--json"]);
    expect(again.exitCode).toBe(0);
    expect((JSON.parse(again.stdout) as { created: string[] }).created).toEqual([]);

    const down = await runBin(["sandbox", "down", dir]);
    expect(down.exitCode).toBe(0);
    expect(pidAlive(s.pid)).toBe(false);
    const status = await runBin(["sandbox", "status", dir, "--json"]);
    expect((JSON.parse(status.stdout) as { running: boolean }).running).toBe(false);
    expect(existsSync(dir)).toBe(true); // down keeps the data without --purge

    const purge = await runBin(["sandbox", "down", dir, "--purge"]);
    expect(purge.exitCode).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  it("refuses a non-empty directory that is not a sandbox, and touches nothing in it", async () => {
    const other = path.join(root, "precious");
    await rm(other, { recursive: true, force: true });
    const { mkdir } = await import("node:fs/promises");
    await mkdir(other);
    await writeFile(path.join(other, "keep.txt"), "mine");
    const r = await runBin(["sandbox", "up", other]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain("[SANDBOX.NOT_EMPTY]");
    const down = await runBin(["sandbox", "down", other, "--purge"]);
    expect(down.exitCode).toBe(2);
    expect(await readFile(path.join(other, "keep.txt"), "utf8")).toBe("mine");
  });

  it("refuses --dry-run on sandbox up/down (exit 2) rather than purging for real", async () => {
    const kept = path.join(root, "kept");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(kept, { recursive: true });
    await writeFile(path.join(kept, "keep.txt"), "mine");
    for (const args of [
      ["sandbox", "down", kept, "--purge", "--dry-run"],
      ["--dry-run", "sandbox", "up", kept],
    ]) {
      const r = await runBin(args);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain("[USAGE.NO_DRY_RUN]");
    }
    expect(await readFile(path.join(kept, "keep.txt"), "utf8")).toBe("mine");
  });
});
