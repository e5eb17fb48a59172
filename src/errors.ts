// Typed errors: every user-facing failure has a stable code, a message, a hint that names the fix
// and an exit code from the contract. Only src/main.ts turns them into a process exit status.

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  refused: 3,
  findings: 4,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface PmErrorOptions {
  hint?: string | undefined;
  cause?: unknown;
  details?: Record<string, unknown> | undefined;
}

export class PmError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    exitCode: ExitCodeValue,
    message: string,
    options: PmErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PmError";
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** exit 1: the operation failed (server unreachable, dump failed, archive corrupt). */
export function failure(code: string, message: string, options?: PmErrorOptions): PmError {
  return new PmError(code, ExitCode.failed, message, options);
}

/** exit 2: usage error or invalid input. */
export function usage(code: string, message: string, options?: PmErrorOptions): PmError {
  return new PmError(code, ExitCode.usage, message, options);
}

/** exit 3: refused by a safeguard. */
export function refused(code: string, message: string, options?: PmErrorOptions): PmError {
  return new PmError(code, ExitCode.refused, message, options);
}

/** exit 130: interrupted by SIGINT/SIGTERM. */
export function interrupted(message = "Interrupted; nothing was left half-done."): PmError {
  return new PmError("INTERRUPTED", ExitCode.interrupted, message);
}

/** Throws the interruption error if the runtime signal has fired. Call between steps. */
export function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) throw interrupted();
}

export function isPmError(error: unknown): error is PmError {
  return error instanceof PmError;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
