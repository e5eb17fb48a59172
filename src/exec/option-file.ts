// Passwords reach mariadb/mariadb-dump through a private option file (mode 0600 in a 0700
// directory), never through argv where `ps` and /proc/<pid>/cmdline would show them.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

export interface ClientCredentials {
  host: string;
  port: number | undefined;
  socketPath?: string | undefined;
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

export async function writeOptionFile(
  c: ClientCredentials,
  extra: Record<string, string> = {},
): Promise<OptionFile> {
  const dir = await mkdtemp(path.join(tmpdir(), "pmadmin-"));
  const file = path.join(dir, "client.cnf");
  const lines = ["[client]", `user=${quoteOption(c.user)}`, `password=${quoteOption(c.password)}`];
  if (c.socketPath) lines.push(`socket=${quoteOption(c.socketPath)}`, "protocol=SOCKET");
  else lines.push(`host=${quoteOption(c.host)}`, `port=${c.port ?? 3306}`, "protocol=TCP");
  for (const [k, v] of Object.entries(extra)) lines.push(`${k}=${v}`);
  await writeFile(file, `${lines.join("\n")}\n`, { mode: 0o600 });
  return {
    path: file,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
