// Where an account connects: the ONE decision used by mysql2 (src/db/mysql.ts) and by every option
// file written for a child client (src/exec/option-file.ts), so pmadmin's own queries and the
// mariadb/mariadb-dump children of one run always reach the same server (style.md rule 15).
//
// The rule is PHP's, because ProcessMaker talks to its databases through PHP: the host name
// `localhost` (any letter case) means the local server's Unix socket, never TCP. That holds even
// when a port is given: ProcessMaker's Creole/mysqli layer and Laravel's PDO pass host and port
// to mysqlnd separately, and mysqlnd picks the socket for "localhost" and ignores the port
// (ProcessMaker itself writes `localhost:3306` into db.php after a restore). To reach a local
// server over TCP, name it `127.0.0.1:PORT`. The socket is PM_DB_SOCKET when set (PHP's
// mysqli.default_socket / pdo_mysql.default_socket), else the first of the usual paths that
// exists; when none exists, `localhost` falls back to TCP on the given port (3306 by default).
import { existsSync } from "node:fs";

export type ConnectionEnv = Readonly<Record<string, string | undefined>>;

/** What a connection needs to know about where to go (DbTarget and ClientCredentials have it). */
export interface Endpoint {
  host: string;
  port: number | undefined;
  /** An explicit Unix socket: always used when set. */
  socketPath?: string | undefined;
}

export type ConnectionTarget =
  { kind: "socket"; socketPath: string } | { kind: "tcp"; host: string; port: number };

/** Where Debian, RHEL and macOS builds put the server socket; PHP's "localhost" uses it. */
export const DEFAULT_SOCKETS: readonly string[] = [
  "/run/mysqld/mysqld.sock",
  "/var/run/mysqld/mysqld.sock",
  "/var/lib/mysql/mysql.sock",
  "/tmp/mysql.sock",
];

export const DEFAULT_PORT = 3306;

let runEnv: ConnectionEnv = {};

/**
 * The environment of the current run (set once by run() from the Runtime). Code that opens a
 * connection without passing an env — such as an option file written deep inside a restore —
 * still honours the run's PM_DB_SOCKET, and so decides exactly as mysql2 does.
 */
export function setConnectionEnv(env: ConnectionEnv): void {
  runEnv = env;
}

export function isLocalhost(host: string): boolean {
  return host.toLowerCase() === "localhost";
}

export function connectionTarget(
  e: Endpoint,
  env: ConnectionEnv = runEnv,
  socketExists: (p: string) => boolean = existsSync,
): ConnectionTarget {
  if (e.socketPath) return { kind: "socket", socketPath: e.socketPath };
  if (isLocalhost(e.host)) {
    const configured = env["PM_DB_SOCKET"];
    if (configured) return { kind: "socket", socketPath: configured };
    const found = DEFAULT_SOCKETS.find((s) => socketExists(s));
    if (found) return { kind: "socket", socketPath: found };
  }
  return { kind: "tcp", host: e.host, port: e.port ?? DEFAULT_PORT };
}

/** "socket /run/mysqld/mysqld.sock" or "db.example.org:3306", for messages. */
export function describeConnection(c: ConnectionTarget): string {
  return c.kind === "socket" ? `socket ${c.socketPath}` : `${c.host}:${c.port}`;
}
