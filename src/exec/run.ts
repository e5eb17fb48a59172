// The one importer of execa: argument arrays, never a shell; stderr folded into errors.
import { execa, type Options, type ResultPromise } from "execa";
import { failure } from "../errors.js";

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  input?: string;
  signal?: AbortSignal;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Run a program to completion and capture its output. Throws a typed error when it fails. */
export async function runProgram(
  file: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  try {
    const r = await execa(file, args, {
      ...common(opts),
      ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }),
      ...(opts.input === undefined ? {} : { input: opts.input }),
      stripFinalNewline: true,
      reject: false,
    });
    if (r.failed || r.exitCode !== 0) {
      const reason = r.timedOut
        ? "timed out"
        : r.isCanceled
          ? "was interrupted"
          : `exited with ${r.exitCode ?? r.signal}`;
      throw failure(
        "EXEC.FAILED",
        `${file} ${reason}: ${tail(String(r.stderr ?? "") || String(r.stdout ?? ""))}`,
        {
          details: { program: file, exitCode: r.exitCode },
        },
      );
    }
    return {
      stdout: String(r.stdout ?? ""),
      stderr: String(r.stderr ?? ""),
      exitCode: r.exitCode ?? 0,
    };
  } catch (error) {
    if ((error as { code?: string }).code === "EXEC.FAILED") throw error;
    throw failure("EXEC.FAILED", `Cannot run ${file}: ${(error as Error).message}`);
  }
}

/**
 * Secrets of pmadmin's own run that no child (mariadb-dump, mariadb, …) needs: the object-store
 * keys, so they never sit in a child's environment.
 */
const WITHHELD = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] as const;

/** A child's environment: pmadmin's (execa extends it) plus `env`, less the withheld secrets. */
export function childEnv(
  env: Record<string, string | undefined> | undefined,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  // undefined removes an inherited variable (Node skips undefined values).
  for (const k of WITHHELD) out[k] = undefined;
  return out;
}

function common(opts: RunOptions): Options {
  return {
    env: childEnv(opts.env),
    extendEnv: true,
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
    ...(opts.signal === undefined ? {} : { cancelSignal: opts.signal }),
  };
}

export type StreamingProcess = ResultPromise<{ buffer: false; reject: false; stderr: "pipe" }>;

/** Start a program whose stdout/stdin the caller streams; the caller awaits and checks it. */
export function spawnStreaming(
  file: string,
  args: readonly string[],
  opts: RunOptions & { stdin?: "pipe" | "ignore"; stdout?: "pipe" | "ignore" } = {},
): StreamingProcess {
  return execa(file, args, {
    ...common(opts),
    buffer: false,
    reject: false,
    stdin: opts.stdin ?? "ignore",
    stdout: opts.stdout ?? "pipe",
    stderr: "pipe",
  }) as unknown as StreamingProcess;
}

/** The last lines of a program's output, enough to name the cause without flooding the terminal. */
export function tail(text: string, lines = 5): string {
  const t = text.trim().split("\n").slice(-lines).join("\n").trim();
  return t === "" ? "(no output)" : t;
}
