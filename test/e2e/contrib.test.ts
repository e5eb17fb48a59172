// contrib/: the systemd service + timer and the cron.d file, read verbatim. Each is parsed the way
// its reader does (systemd's INI with its %/$ escapes, cron's fields with its % rule), and the
// command it runs is run for real against a test installation, with `pmadmin` on the PATH being
// this checkout's bin/pmadmin.js: a nightly backup that would fail on a server fails here.
import { mkdtemp, readdir, readFile, rm, symlink } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CONTRIB = path.join(ROOT, "contrib");

type Ini = Map<string, Array<[string, string]>>;

/** systemd's unit syntax: [Section] headers, Key=Value lines, # and ; comments. */
function parseUnit(text: string): Ini {
  const sections: Ini = new Map();
  let current: Array<[string, string]> | undefined;
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    expect(line.endsWith("\\"), `line ${i + 1}: no continuation lines`).toBe(false);
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      current = [];
      sections.set(header[1] ?? "", current);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    expect(kv, `line ${i + 1} is Key=Value: ${line}`).not.toBeNull();
    expect(current, `line ${i + 1} is inside a section`).toBeDefined();
    current?.push([kv?.[1] ?? "", kv?.[2] ?? ""]);
  }
  return sections;
}

function values(ini: Ini, section: string, key: string): string[] {
  return (ini.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);
}

/** What systemd makes of an ExecStart= value: %% → %, %i → instance, $$ → $. */
function systemdUnescape(value: string, instance: string): string {
  // Any other specifier or a $VAR systemd would expand itself is not what the unit means.
  expect(value.replace(/%%|%i/g, "")).not.toMatch(/%/);
  expect(value.replace(/\$\$/g, "")).not.toMatch(/\$/);
  return value
    .replace(/%(%|i)/g, (_, c: string) => (c === "%" ? "%" : instance))
    .replace(/\$\$/g, "$");
}

const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\d+(-\d+)?)(\/\d+)?)*$/;
const CRON_RANGES: ReadonlyArray<[number, number]> = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

interface CronJob {
  fields: string[];
  user: string;
  command: string;
}

/** /etc/cron.d syntax: comments, NAME=value environment lines, and 5 time fields + user + command. */
function parseCronD(text: string): { env: Record<string, string>; jobs: CronJob[] } {
  const env: Record<string, string> = {};
  const jobs: CronJob[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const assign = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (assign) {
      env[assign[1] ?? ""] = assign[2] ?? "";
      continue;
    }
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.+)$/.exec(line);
    expect(m, `a cron.d job line: ${line}`).not.toBeNull();
    jobs.push({ fields: m?.slice(1, 6) ?? [], user: m?.[6] ?? "", command: m?.[7] ?? "" });
  }
  return { env, jobs };
}

function cronFieldOk(field: string, [lo, hi]: [number, number]): boolean {
  if (!CRON_FIELD.test(field)) return false;
  return (field.match(/\d+/g) ?? [])
    .filter((_, i, all) => !field.includes("/") || i < all.length - 1)
    .every((n) => Number(n) >= lo && Number(n) <= hi);
}

/** Every % in a cron command must be written \%: cron turns a bare one into a newline. */
function unescapedPercents(command: string): number {
  return (command.match(/(^|[^\\])%/g) ?? []).length;
}

/**
 * systemd's own check, where systemd-analyze exists (a CI container may have no systemd; the
 * parsing above holds the files there).
 */
async function verifyUnits(): Promise<void> {
  const which = await execa("sh", ["-c", "command -v systemd-analyze"], { reject: false });
  if (which.exitCode !== 0) return;
  const dir = await mkdtemp(path.join(tmpdir(), "pmadmin-units-"));
  try {
    const units: string[] = [];
    for (const kind of ["service", "timer"]) {
      const template = `pmadmin-backup@.${kind}`;
      await symlink(path.join(CONTRIB, template), path.join(dir, template));
      await symlink(template, path.join(dir, `pmadmin-backup@workflow.${kind}`));
      units.push(path.join(dir, `pmadmin-backup@workflow.${kind}`));
    }
    const r = await execa("systemd-analyze", ["verify", "--man=no", ...units], { reject: false });
    expect(r.stderr).not.toMatch(/Unknown|ignoring|not executable|Failed/);
    expect(r.exitCode).toBe(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let install: TestInstall;
let ws: string;
let stubDir: string;

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 1, cases: 2 });
  ws = install.workspaces[0]?.name ?? "";
  // `pmadmin` on the PATH is this checkout's binary, as npm i -g would link it.
  stubDir = await mkdtemp(path.join(tmpdir(), "pmadmin-contrib-"));
  await symlink(BIN, path.join(stubDir, "pmadmin"));
});

afterAll(async () => {
  await install?.cleanup();
  if (stubDir) await rm(stubDir, { recursive: true, force: true });
});

async function backupsMade(): Promise<string[]> {
  const dir = path.join(install.sharedDir, "backups");
  return existsSync(dir) ? (await readdir(dir)).sort() : [];
}

async function runAsJob(command: string, env: Record<string, string>) {
  const today = (await execa("date", ["+%F"])).stdout.trim();
  const before = await backupsMade();
  const r = await execa("/bin/sh", ["-c", command], {
    env: { ...env, ...install.env(), PATH: `${stubDir}:${process.env["PATH"] ?? ""}` },
    cwd: "/",
    reject: false,
    extendEnv: false,
  });
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toBe(""); // --quiet: cron mails any output, a good night has none
  expect(await backupsMade()).toEqual([...new Set([...before, `${ws}-${today}.tar.gz`])].sort());
}

describe("contrib/pmadmin-backup@.service and .timer", () => {
  it("are units with the sections and keys systemd needs, and ExecStart backs the instance up", async () => {
    const service = parseUnit(
      await readFile(path.join(CONTRIB, "pmadmin-backup@.service"), "utf8"),
    );
    const timer = parseUnit(await readFile(path.join(CONTRIB, "pmadmin-backup@.timer"), "utf8"));
    expect([...service.keys()]).toEqual(["Unit", "Service"]);
    expect([...timer.keys()]).toEqual(["Unit", "Timer", "Install"]);
    expect(values(service, "Service", "Type")).toEqual(["oneshot"]);
    for (const [key, value] of [
      ["PrivateTmp", "true"],
      ["ProtectSystem", "full"],
      ["NoNewPrivileges", "true"],
      ["IOSchedulingClass", "idle"],
      ["Nice", "19"],
    ] as const) {
      expect(values(service, "Service", key), key).toEqual([value]);
    }
    expect(values(timer, "Timer", "OnCalendar")).toEqual(["*-*-* 02:30:00"]);
    expect(values(timer, "Timer", "Persistent")).toEqual(["true"]);
    expect(values(timer, "Install", "WantedBy")).toEqual(["timers.target"]);

    const [execStart, ...more] = values(service, "Service", "ExecStart");
    expect(more).toEqual([]);
    const line = systemdUnescape(execStart ?? "", ws);
    expect(line).toMatch(/^\/bin\/sh -c 'exec pmadmin workspace-backup --quiet --keep /);
    // Environment= lines as systemd passes them (PM_INSTALL_DIR is the test installation's).
    const env = Object.fromEntries(
      values(service, "Service", "Environment").map((v) => v.split(/=(.*)/s).slice(0, 2)),
    ) as Record<string, string>;
    expect(env["PMADMIN_KEEP"]).toBe("14");
    const [script, ...args] = shellWords(line.slice("/bin/sh -c ".length));
    expect(args).toEqual(["pmadmin-backup", ws]);
    const r = await execa("/bin/sh", ["-c", script ?? "", ...args], {
      env: { ...env, ...install.env(), PATH: `${stubDir}:${env["PATH"] ?? ""}` },
      cwd: "/",
      reject: false,
      extendEnv: false,
    });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const today = (await execa("date", ["+%F"])).stdout.trim();
    expect(await backupsMade()).toContain(`${ws}-${today}.tar.gz`);
    await verifyUnits();
  });
});

/** Splits a line into words the way sh does for single- and double-quoted words (no expansion). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of line.matchAll(re)) words.push(m[1] ?? m[2] ?? m[3] ?? "");
  return words;
}

describe("contrib/pmadmin-backup.cron", () => {
  it("is a cron.d file whose every % is escaped, and its command is a working nightly backup", async () => {
    const { env, jobs } = parseCronD(
      await readFile(path.join(CONTRIB, "pmadmin-backup.cron"), "utf8"),
    );
    expect(env["SHELL"]).toBe("/bin/sh");
    expect(env["PATH"]).toContain("/usr/local/bin");
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    job?.fields.forEach((f, i) => expect(cronFieldOk(f, CRON_RANGES[i] ?? [0, 0]), f).toBe(true));
    expect(job?.user).toBe("root");
    expect(unescapedPercents(job?.command ?? "")).toBe(0);
    expect(job?.command).toMatch(/^pmadmin workspace-backup --quiet --keep \d+ workflow /);
    // What cron hands to sh: \% becomes %. The workspace is the test installation's.
    const command = (job?.command ?? "").replace(/\\%/g, "%").replace(/\bworkflow\b/g, ws);
    await runAsJob(command, env);
  });

  it("the README's cron line escapes % too", async () => {
    const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
    const cronLines = readme.split("\n").filter((l) => /^([\d*,/-]+\s+){5}\S+\s+pmadmin\s/.test(l));
    expect(cronLines.length).toBeGreaterThan(0);
    expect(cronLines.some((l) => l.includes("date +\\%F"))).toBe(true);
    for (const l of cronLines) expect(unescapedPercents(l), l).toBe(0);
  });
});
