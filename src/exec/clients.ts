// Finding the MariaDB/MySQL command-line clients; say which is missing and how to get it.
import { access, constants } from "node:fs/promises";
import path from "node:path";
import { failure } from "../errors.js";

export type ClientKind = "dump" | "client" | "server" | "install-db" | "admin";

const CANDIDATES: Record<ClientKind, string[]> = {
  dump: ["mariadb-dump", "mysqldump"],
  client: ["mariadb", "mysql"],
  server: ["mariadbd", "mysqld"],
  "install-db": ["mariadb-install-db", "mysql_install_db"],
  admin: ["mariadb-admin", "mysqladmin"],
};

const PACKAGE: Record<ClientKind, string> = {
  dump: "mariadb-client",
  client: "mariadb-client",
  server: "mariadb-server",
  "install-db": "mariadb-server",
  admin: "mariadb-client",
};

async function executable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const cache = new Map<string, string>();

export async function findProgram(
  kind: ClientKind,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const key = `${kind}:${env["PATH"] ?? ""}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const dirs = [
    ...(env["PATH"] ?? "").split(path.delimiter).filter(Boolean),
    "/usr/sbin",
    "/usr/local/sbin",
    "/usr/bin",
  ];
  for (const name of CANDIDATES[kind]) {
    for (const dir of dirs) {
      const full = path.join(dir, name);
      if (await executable(full)) {
        cache.set(key, full);
        return full;
      }
    }
  }
  throw failure(
    "EXEC.PROGRAM_MISSING",
    `Neither ${CANDIDATES[kind].join(" nor ")} was found on PATH.`,
    {
      hint: `Install the ${PACKAGE[kind]} package (e.g. apt-get install ${PACKAGE[kind]}).`,
    },
  );
}
