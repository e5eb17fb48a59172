// Every registered command and subcommand (walked from the program itself, so a new command is
// covered without touching this file): `--help` exits 0 with its usage on stdout, `help <cmd>`
// too, and an unknown option exits 2 (one JSON document under --json) without running anything.
import { describe, expect, it } from "vitest";
import { ASKING, CHANGING } from "../../src/cli/global-options.js";
import { runBin, runInProcess } from "../helpers/cli.js";
import { programCommands } from "../helpers/program-tree.js";

// Nothing here may reach an installation: point at one that does not exist.
const env = { PM_INSTALL_DIR: "/nonexistent/pmadmin-help-test", NO_COLOR: "1" };
const tree = programCommands();
const paths = tree.map((t) => t.path);
const GLOBALS = ["--json", "-q, --quiet", "-v, --verbose", "--no-color", "--install-dir <dir>"];

describe("help for every command", () => {
  it("finds the commands the README documents", () => {
    const names = paths.map((p) => p.join(" "));
    for (const n of [
      "info",
      "workspace-backup",
      "workspace-restore",
      "check-integrity",
      "flush-cache",
      "role grant",
      "permission list",
      "user role",
      "expire-admin",
      "extend-admin",
      "admin-status",
      "sandbox up",
      "platform permission grant",
      "platform super-admin",
    ]) {
      expect(names).toContain(n);
    }
  });

  it.each(paths.map((p) => [p.join(" "), p] as const))("%s --help exits 0", async (_n, p) => {
    const r = await runInProcess([...p, "--help"], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Usage: pmadmin ${p.join(" ")}`);
    expect(r.stderr).toBe("");
    const h = await runInProcess([...p.slice(0, -1), "help", p[p.length - 1] as string], { env });
    expect(h.exitCode, h.stderr).toBe(0);
    expect(h.stdout).toBe(r.stdout);
  });

  it.each(paths.map((p) => [p.join(" "), p] as const))("%s --bogus exits 2", async (_n, p) => {
    const r = await runInProcess([...p, "--bogus"], { env });
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^pmadmin: error \[USAGE\]: unknown option '--bogus'/);
    expect(r.stdout).toBe("");
    const j = await runInProcess([...p, "--bogus", "--json"], { env });
    expect(j.exitCode).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: "USAGE" } });
  });

  it("the built binary agrees: --help 0, help <cmd> 0, --bogus 2", async () => {
    expect((await runBin(["--help"], { env })).exitCode).toBe(0);
    expect((await runBin(["help", "workspace-backup"], { env })).exitCode).toBe(0);
    expect((await runBin(["role", "grant", "--help"], { env })).exitCode).toBe(0);
    const r = await runBin(["check-integrity", "--bogus"], { env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it.each(tree.map((t) => [t.path.join(" "), t] as const))(
    "help %s shows its own options, arguments and the global options",
    async (_n, t) => {
      const r = await runInProcess(["help", ...t.path], { env });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Usage: pmadmin ${t.path.join(" ")}`);
      expect(r.stdout).toBe((await runInProcess([...t.path, "--help"], { env })).stdout);
      for (const o of t.cmd.options) expect(r.stdout).toContain(o.flags);
      for (const a of t.cmd.registeredArguments)
        if (a.description) expect(r.stdout).toContain(a.name());
      const globals = r.stdout.slice(r.stdout.indexOf("Global Options:"));
      expect(r.stdout).toContain("Global Options:");
      for (const g of GLOBALS) expect(globals).toContain(g);
      expect(globals).not.toContain("--version");
      // --dry-run where the command changes something, -y where it may ask.
      const name = t.path.join(" ");
      expect(globals.includes("--dry-run"), `${name} --dry-run`).toBe(CHANGING.has(name));
      expect(globals.includes("-y, --yes"), `${name} -y`).toBe(ASKING.has(name));
    },
  );

  it("the tables of commands that change something or ask name real commands", () => {
    for (const name of [...CHANGING, ...ASKING])
      expect(paths.map((p) => p.join(" "))).toContain(name);
    expect([...ASKING].every((a) => CHANGING.has(a))).toBe(true);
  });

  it("help walks nested commands and refuses unknown ones with a suggestion", async () => {
    const grant = await runInProcess(["help", "role", "grant"], { env });
    expect(grant.exitCode).toBe(0);
    expect(grant.stdout).toContain("Usage: pmadmin role grant");
    expect(grant.stdout).toContain("--with-required");
    const none = await runInProcess(["help", "nosuch"], { env });
    expect(none.exitCode).toBe(2);
    expect(none.stdout).toBe("");
    expect(none.stderr).toContain("[USAGE.UNKNOWN_COMMAND]: Unknown command 'nosuch'");
    const typo = await runInProcess(["help", "flush-cach", "--json"], { env });
    expect(typo.exitCode).toBe(2);
    expect(JSON.parse(typo.stdout)).toMatchObject({
      ok: false,
      error: {
        code: "USAGE.UNKNOWN_COMMAND",
        message: expect.stringContaining("Did you mean 'flush-cache'?") as unknown,
        hint: expect.any(String) as unknown,
      },
    });
    const sub = await runInProcess(["help", "role", "grnt"], { env });
    expect(sub.exitCode).toBe(2);
    expect(sub.stderr).toContain("Did you mean 'grant'?");
    expect(sub.stderr).toContain("pmadmin help role");
  });

  it("usage errors point at the command's own help, in text and in JSON", async () => {
    const r = await runInProcess(["role", "grant", "--with-require"], { env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("Did you mean --with-required?");
    expect(r.stderr).toContain("'pmadmin help role grant' or 'pmadmin role grant --help'");
    expect(r.stderr).not.toContain("pmadmin --help");
    const j = await runInProcess(["role", "grant", "--with-require", "--json"], { env });
    expect(JSON.parse(j.stdout)).toEqual({
      schemaVersion: 1,
      ok: false,
      error: {
        code: "USAGE",
        message: "unknown option '--with-require'. Did you mean --with-required?",
        hint: "Run 'pmadmin help role grant' for usage.",
      },
    });
  });

  it("a usage error a command raises itself names that command's help too", async () => {
    const r = await runInProcess(["admin-status", "--warn-days", "soon", "--json"], { env });
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: { code: "USAGE.BAD_NUMBER", hint: "Run 'pmadmin help admin-status' for usage." },
    });
    const none = await runInProcess(["help", "nosuch"], { env });
    expect(none.stderr).toContain("Commands: info, workspace-backup,");
  });

  it("workspace-backup with no arguments names what is missing", async () => {
    const r = await runInProcess(["workspace-backup"], { env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("[BACKUP.NO_WORKSPACE]: workspace-backup needs the WORKSPACE");
    expect(r.stderr).toContain("pmadmin help workspace-backup");
    expect(r.stderr).not.toContain("'args'");
  });

  it.each([["workspace-restore"], ["workspace-backup"]])("%s --help has examples", async (c) => {
    const r = await runInProcess([c, "--help"], { env });
    expect(r.stdout).toMatch(new RegExp(`Examples:\\n(  pmadmin ${c} .+\\n){3,}`));
  });
});
