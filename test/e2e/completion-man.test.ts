// `pmadmin completion bash|zsh` and man/pmadmin.1: both generated from the command tree, so
// both must know every command `--help` lists. The bash script is sourced in a real bash and
// asked for candidates the way readline asks (COMP_WORDS/COMP_CWORD).
import { existsSync } from "node:fs";
import { readFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { COMMANDS } from "../../src/commands/index.js";
import { allCommands, commandTree, type CommandSpec } from "../../src/help/tree.js";
import type { Runtime } from "../../src/runtime.js";
import { runBin, runInProcess } from "../helpers/cli.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
let dir: string;
let bashScript: string;
let tree: CommandSpec;

async function have(program: string): Promise<boolean> {
  return (await execa("sh", ["-c", `command -v ${program}`], { reject: false })).exitCode === 0;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pmadmin-completion-"));
  const r = await runBin(["completion", "bash"]);
  expect(r.exitCode).toBe(0);
  bashScript = path.join(dir, "pmadmin.bash");
  await writeFile(bashScript, r.stdout);
  const rt = { stdout: process.stdout, stderr: process.stderr } as unknown as Runtime;
  tree = commandTree(buildProgram(rt, COMMANDS, { exitCode: 0 }));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The candidates bash offers for the command line `words` (the last one being completed). */
async function complete(...words: string[]): Promise<string[]> {
  const array = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(" ");
  const r = await execa("bash", [
    "--norc",
    "-c",
    `source "$1"; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _pmadmin; printf '%s\\n' "\${COMPREPLY[@]}"`,
    "bash",
    bashScript,
  ]);
  return r.stdout.split("\n").filter((w) => w !== "");
}

describe("pmadmin completion bash", () => {
  it("completes command names, subcommands and aliases from the program tree", async () => {
    expect(await complete("pmadmin", "workspace-re")).toEqual(["workspace-restore"]);
    expect(await complete("pmadmin", "database-")).toEqual(["database-verify-consistency"]);
    expect(await complete("pmadmin", "role", "gr")).toEqual(["grant"]);
    expect(await complete("pmadmin", "sandbox", "")).toEqual(["up", "down", "status", "help"]);
    // Every top-level command is offered.
    const top = await complete("pmadmin", "");
    for (const c of tree.commands) expect(top).toContain(c.name);
  });

  it("offers a command's own options and the global ones, skipping option values", async () => {
    const backup = await complete("pmadmin", "workspace-backup", "--");
    expect(backup).toEqual(
      expect.arrayContaining([
        "--filesize",
        "--keep",
        "--skip-unreadable",
        "--json",
        "--dry-run",
        "--install-dir",
      ]),
    );
    expect(backup.filter((o) => o === "--help")).toHaveLength(1);
    expect(await complete("pmadmin", "workspace-backup", "-")).toContain("-s");
    // --install-dir takes a value: the word after it is not a command.
    expect(await complete("pmadmin", "--install-dir", "role", "role", "gr")).toEqual(["grant"]);
    expect(await complete("pmadmin", "--install-dir", "")).toEqual([]); // a path: bash's default
    expect(await complete("pmadmin", "role", "grant", "--with")).toEqual(["--with-required"]);
  });

  it("prints a usage error (exit 2) naming the shells for an unknown one", async () => {
    const r = await runInProcess(["completion", "fish"]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("error [USAGE.SHELL]: No completion for shell 'fish'.");
    expect(r.stderr).toContain("bash, zsh");
  });
});

/** The command lines an interactive zsh shows after typing each of `lines` and a TAB. */
async function zshComplete(lines: readonly string[]): Promise<string[]> {
  const out = path.join(dir, "zsh-completed");
  const driver = path.join(ROOT, "test/helpers/zsh-complete.zsh");
  const r = await execa("zsh", ["-f", driver, dir, out, ...lines], {
    reject: false,
    timeout: 60_000,
  });
  expect(r.exitCode, r.stderr).toBe(0);
  return (await readFile(out, "utf8"))
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.trimEnd());
}

describe("pmadmin completion zsh", () => {
  it("is a #compdef function per command with subcommands and options, and zsh parses it", async () => {
    const r = await runInProcess(["completion", "zsh"]);
    expect(r.exitCode).toBe(0);
    const script = r.stdout;
    expect(script.startsWith("#compdef pmadmin\n")).toBe(true);
    for (const c of allCommands(tree).filter((c) => c.path[0] !== "help")) {
      expect(script).toContain(`${["_pmadmin", ...c.path].join("__").replace(/-/g, "_")}() {`);
      expect(script).toContain(`'${c.name}:`);
    }
    expect(script).toContain("'(-s --filesize)-s+[");
    expect(script).toContain("compdef _pmadmin pmadmin");
    // zsh -n where zsh is installed (.ci/run installs it); the checks above hold the structure.
    if (await have("zsh")) {
      const file = path.join(dir, "_pmadmin");
      await writeFile(file, script);
      const n = await execa("zsh", ["-n", file], { reject: false });
      expect(n.stderr).toBe("");
      expect(n.exitCode).toBe(0);
      // And it completes: an interactive zsh (in a pseudo-terminal) with the script on its fpath.
      const typed = await zshComplete([
        "pmadmin workspace-re",
        // (--ke is now ambiguous: --keep, --keep-daily, --keep-weekly, --keep-monthly)
        "pmadmin workspace-backup --keep-mo",
        "pmadmin role gr",
      ]);
      expect(typed).toEqual([
        "pmadmin workspace-restore",
        "pmadmin workspace-backup --keep-monthly=",
        "pmadmin role grant",
      ]);
    }
  });
});

describe("man/pmadmin.1", () => {
  it("is generated by the build, names every command and option, and renders", async () => {
    const file = path.join(ROOT, "man", "pmadmin.1");
    expect(existsSync(file)).toBe(true); // npm test builds first; the build writes it
    const roff = await readFile(file, "utf8");
    expect(roff).toMatch(/^\.\\" .*\n\.TH PMADMIN 1 /);
    for (const s of [
      "NAME",
      "SYNOPSIS",
      "DESCRIPTION",
      "GLOBAL OPTIONS",
      "COMMANDS",
      "EXIT STATUS",
      "ENVIRONMENT",
    ]) {
      expect(roff).toContain(`\n.SH ${s}\n`);
    }
    const esc = (t: string): string => t.replace(/-/g, "\\-");
    for (const c of allCommands(tree).filter((c) => c.path[0] !== "help" && c.name !== "help")) {
      expect(roff).toContain(`.B pmadmin ${esc(c.path.join(" "))}\n`);
      for (const o of c.options.filter((o) => o.long !== "--help"))
        expect(roff).toContain(esc(o.flags));
    }
    // Plain ASCII roff: no line a formatter would take as a request by accident.
    expect([...roff].filter((c) => c.charCodeAt(0) > 0x7f)).toEqual([]);
    for (const line of roff.split("\n"))
      if (/^[.']/.test(line)) expect(line).toMatch(/^\.(\\"|[A-Z]{1,2}\b)/);
    if (await have("groff")) {
      const g = await execa("groff", ["-man", "-Tutf8", "-ww", "-z", file], { reject: false });
      expect(g.stderr).toBe("");
      expect(g.exitCode).toBe(0);
    }
    if (await have("man")) {
      const m = await execa("man", ["-l", file], {
        reject: false,
        env: { MANPAGER: "cat", MANWIDTH: "100" },
      });
      expect(m.exitCode).toBe(0);
      expect(m.stdout).toContain("workspace-restore");
    }
  });
});
