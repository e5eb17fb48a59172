// Passwords reach mariadb/mariadb-dump through a private option file (mode 0600 in a 0700
// directory), never through argv where `ps` and /proc/<pid>/cmdline would show them. Where the
// child connects (socket or host:port) is decided by connectionTarget(), the same function mysql2
// uses, so a child never reaches another server than pmadmin's own connection for that account.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { connectionTarget, type ConnectionEnv, type Endpoint } from "../db/connection-target.js";

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

/** Writes the option file into a new private directory. `env` defaults to the run's (PM_DB_SOCKET). */
export async function writeOptionFile(
  c: ClientCredentials,
  env?: ConnectionEnv,
): Promise<OptionFile> {
  const dir = await mkdtemp(path.join(tmpdir(), "pmadmin-"));
  const file = path.join(dir, "client.cnf");
  await writeFile(file, optionFileText(c, env), { mode: 0o600 });
  return {
    path: file,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
