// `info` against a provisioned installation, run as the built binary.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { runBin } from "../helpers/cli.js";

let install: TestInstall;

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 1, cases: 7 });
});
afterAll(async () => {
  await install?.cleanup();
});

describe("pmadmin info", () => {
  it("prints one JSON document describing the workspace with masked passwords", async () => {
    const ws = install.workspaces[0]!;
    const r = await runBin(["--install-dir", install.installDir, "info", "--json"]);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      system: { sharedDir: string };
      workspaces: Array<{
        name: string;
        cases: number;
        users: number;
        adminDueDate: string;
        databases: Array<{ dsn: string }>;
      }>;
    };
    expect(doc.ok).toBe(true);
    expect(doc.system.sharedDir).toBe(install.sharedDir);
    expect(doc.workspaces).toHaveLength(1);
    const w = doc.workspaces[0]!;
    expect(w.name).toBe(ws.name);
    expect(w.cases).toBe(7);
    expect(w.users).toBeGreaterThanOrEqual(2);
    expect(w.adminDueDate).toBe("2040-01-01");
    expect(w.databases[0]!.dsn).toMatch(
      new RegExp(`^mysql://${ws.dbUser}:\\*\\*\\*\\*@127\\.0\\.0\\.1:\\d+/${ws.database}$`),
    );
    expect(r.stdout + r.stderr).not.toContain(ws.dbPassword);
  });

  it("prints ProcessMaker-style aligned labels for humans, options after the command too", async () => {
    const ws = install.workspaces[0]!;
    const r = await runBin(["info", ws.name], { env: install.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^ {6}Workspace Name /m);
    expect(r.stdout).toContain(`Workflow Database mysql://${ws.dbUser}:****@`);
    expect(r.stdout).not.toContain(ws.dbPassword);
  });

  it("exits 2 for an unknown workspace and names the ones that exist", async () => {
    const ws = install.workspaces[0]!;
    const r = await runBin(["info", "no_such"], { env: install.env() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("[WORKSPACE.NOT_FOUND]");
    expect(r.stderr).toContain(ws.name);
    expect(r.stdout).toBe("");
  });

  it("exits 1 naming the server's complaint when the workspace password is wrong", async () => {
    const { readFile, writeFile } = await import("node:fs/promises");
    const ws = install.workspaces[0]!;
    const dbPhp = `${ws.siteDir}/db.php`;
    const original = await readFile(dbPhp, "utf8");
    try {
      await writeFile(dbPhp, original.replaceAll(ws.dbPassword, "wrong-password"));
      const r = await runBin(["info", ws.name, "--json"], { env: install.env() });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/Access denied/);
      expect(r.stdout + r.stderr).not.toContain("wrong-password");
    } finally {
      await writeFile(dbPhp, original);
    }
  });
});

describe("pmadmin command line", () => {
  it("exits 2 on an unknown command with a suggestion, 0 on --help and --version", async () => {
    const bad = await runBin(["inof"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("Did you mean info?");
    expect((await runBin(["--help"])).exitCode).toBe(0);
    expect((await runBin(["help", "info"])).stdout).toContain("Usage: pmadmin info");
    expect((await runBin(["--version"])).stdout).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await runBin(["info", "--bogus"])).exitCode).toBe(2);
  });

  it("exits 2 with a clear message when there is no installation", async () => {
    const r = await runBin(["info"], { env: { PM_INSTALL_DIR: "/nonexistent/pm" } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("Install directory /nonexistent/pm does not exist");
  });
});
