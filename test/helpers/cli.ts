// Running pmadmin like a user: the built binary in a child process, or in-process with a fake
// runtime (faster, and lets a test set the platform, the clock and the TTY).
import { PassThrough } from "node:stream";
import path from "node:path";
import { execa } from "execa";
import { run } from "../../src/main.js";
import type { Asker, Platform, Runtime } from "../../src/runtime.js";
import { stripAnsi } from "../../src/ui/color.js";

export const BIN = path.resolve(import.meta.dirname, "../../bin/pmadmin.js");

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runBin(
  args: readonly string[],
  opts: { env?: Record<string, string>; input?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const r = await execa(process.execPath, [BIN, ...args], {
    env: { NO_COLOR: "1", ...opts.env },
    reject: false,
    ...(opts.input === undefined ? { stdin: "ignore" as const } : { input: opts.input }),
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export interface FakeRuntimeOptions {
  env?: Record<string, string | undefined>;
  platform?: Platform;
  now?: Date;
  cwd?: string;
  stdoutIsTTY?: boolean;
  stdinIsTTY?: boolean;
  signal?: AbortSignal;
  /** Answers confirmations (a fake TTY has no terminal behind it). */
  ask?: Asker;
}

export async function runInProcess(
  args: readonly string[],
  o: FakeRuntimeOptions = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const rt: Runtime = {
    stdout: { write: (s: string) => (stdout += s), isTTY: o.stdoutIsTTY ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin: new PassThrough(),
    env: { PATH: process.env["PATH"], NO_COLOR: "1", ...o.env },
    cwd: o.cwd ?? process.cwd(),
    platform: o.platform ?? "linux",
    stdinIsTTY: o.stdinIsTTY ?? false,
    signal: o.signal ?? new AbortController().signal,
    now: () => o.now ?? new Date("2026-11-25T12:00:00Z"),
    ask: o.ask,
  };
  const exitCode = await run(rt, args);
  return { exitCode, stdout: stripAnsi(stdout), stderr: stripAnsi(stderr) };
}
