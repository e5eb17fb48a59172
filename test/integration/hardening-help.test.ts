// Every registered command and subcommand (walked from the program itself, so a new command is
// covered without touching this file): `--help` exits 0 with its usage on stdout, `help <cmd>`
// too, and an unknown option exits 2 (one JSON document under --json) without running anything.
import { PassThrough } from "node:stream";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { COMMANDS } from "../../src/commands/index.js";
import type { Runtime } from "../../src/runtime.js";
import { runBin, runInProcess } from "../helpers/cli.js";

function commandPaths(): string[][] {
  const rt: Runtime = {
    stdout: { write: () => true, isTTY: false },
    stderr: { write: () => true, isTTY: false },
    stdin: new PassThrough(),
    env: {},
    cwd: process.cwd(),
    platform: "linux",
    stdinIsTTY: false,
    signal: new AbortController().signal,
    now: () => new Date(),
  };
  const out: string[][] = [];
  const walk = (cmd: Command, prefix: string[]): void => {
    for (const sub of cmd.commands) {
      if (sub.name() === "help") continue;
      const p = [...prefix, sub.name()];
      out.push(p);
      walk(sub, p);
    }
  };
  walk(buildProgram(rt, COMMANDS, { exitCode: 0 }), []);
  return out;
}

// Nothing here may reach an installation: point at one that does not exist.
const env = { PM_INSTALL_DIR: "/nonexistent/pmadmin-help-test", NO_COLOR: "1" };
const paths = commandPaths();

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
});
