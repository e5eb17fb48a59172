// The outside world, built once from `process` and passed in everywhere else, so that tests can
// stand in another platform, another "today", or capture output without patching globals.
import type { Readable } from "node:stream";

export type Platform = "linux" | "win32" | "darwin";

export interface OutStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean | undefined;
}

/** Asks a yes/no question; resolves true for yes. */
export type Asker = (message: string) => Promise<boolean>;

export interface Runtime {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly stdin: Readable;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly platform: Platform;
  readonly stdinIsTTY: boolean;
  /** Aborted on SIGINT/SIGTERM; long operations pass it down and clean up when it fires. */
  readonly signal: AbortSignal;
  now(): Date;
  /** Asks confirmations instead of the terminal (ui/prompt.ts); tests answer with it. */
  readonly ask?: Asker | undefined;
}

export function resolvePlatform(
  env: Readonly<Record<string, string | undefined>>,
  actual: string,
): Platform {
  const override = env["PMADMIN_PLATFORM"];
  if (override === "linux" || override === "win32" || override === "darwin") return override;
  if (actual === "win32" || actual === "darwin") return actual;
  return "linux";
}

/**
 * The process-backed runtime. Installs SIGINT/SIGTERM handlers that abort `signal`; `pending` is a
 * signal that arrived before (bin/pmadmin.js notes one while the runtime is being loaded).
 */
export function processRuntime(pending?: NodeJS.Signals): Runtime {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts > 1) {
      // A second Ctrl-C means "now": cleanup already had its chance.
      process.stderr.write(`\npmadmin: ${name} again, exiting without further cleanup\n`);
      process.exit(130);
    }
    controller.abort(new InterruptedSignal(name));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  if (pending) onSignal(pending);
  const fixedNow = process.env["PMADMIN_NOW"];
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    platform: resolvePlatform(process.env, process.platform),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    signal: controller.signal,
    now: () => (fixedNow ? new Date(fixedNow) : new Date()),
  };
}

/** The reason carried by an aborted runtime signal. */
export class InterruptedSignal extends Error {
  constructor(readonly signalName: string) {
    super(`interrupted by ${signalName}`);
    this.name = "InterruptedSignal";
  }
}
