// Passwords reach mariadb/mariadb-dump through a private option file (mode 0600 in a 0700
// directory), never through argv where `ps` and /proc/<pid>/cmdline would show them. Where the
// child connects (socket or host:port) is decided by connectionTarget(), the same function mysql2
// uses, so a child never reaches another server than pmadmin's own connection for that account.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { connectionTarget, type ConnectionEnv, type Endpoint } from "../db/connection-target.js";
import { failure } from "../errors.js";
import { describeWriteFailure, writeFailureCode } from "../fsx/errno.js";

/** An account as a child client needs it: a DbTarget (or anything shaped like one) will do. */
export interface ClientCredentials extends Endpoint {
  user: string;
  password: string;
}

function quoteOption(value: string): string {
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

export interface OptionFile {
  path: string;
  dispose(): Promise<void>;
}

/** The [client] section for an account: credentials plus where to connect. */
export function optionFileText(c: ClientCredentials, env?: ConnectionEnv): string {
  const lines = ["[client]", `user=${quoteOption(c.user)}`, `password=${quoteOption(c.password)}`];
  const t = connectionTarget(c, env);
  if (t.kind === "socket") lines.push(`socket=${quoteOption(t.socketPath)}`, "protocol=SOCKET");
  else lines.push(`host=${quoteOption(t.host)}`, `port=${t.port}`, "protocol=TCP");
  return `${lines.join("\n")}\n`;
}

/**
 * Writes the option file into a new private directory under the system temp dir. `env` defaults
 * to the run's environment (PM_DB_SOCKET), as for connect(). On any failure nothing is left
 * behind and the error names the temp directory (a full /tmp must not read as a database error).
 */
export async function writeOptionFile(
  c: ClientCredentials,
  env?: ConnectionEnv,
): Promise<OptionFile> {
  const text = optionFileText(c, env);
  const base = tmpdir();
  let dir: string | undefined;
  try {
    dir = await mkdtemp(path.join(base, "pmadmin-"));
    const file = path.join(dir, "client.cnf");
    await writeFile(file, text, { mode: 0o600 });
    const created = dir;
    return { path: file, dispose: () => rm(created, { recursive: true, force: true }) };
  } catch (error) {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw tempError(base, error);
  }
}

function tempError(base: string, error: unknown): Error {
  const code = writeFailureCode(error);
  if (code === "ENOSPC" || code === "EDQUOT") {
    return failure(
      "EXEC.TEMP_FULL",
      `Cannot write a client option file in the temp directory ${base}: ${describeWriteFailure(error)}.`,
      {
        hint: `Free space in ${base}, or set TMPDIR to a directory with free space.`,
        cause: error,
      },
    );
  }
  return failure(
    "EXEC.TEMP_WRITE",
    `Cannot write a client option file in the temp directory ${base}: ${describeWriteFailure(error)}.`,
    {
      hint: `Make ${base} writable for this user, or set TMPDIR to a writable directory.`,
      cause: error,
    },
  );
}
