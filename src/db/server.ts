// A private MariaDB server started from the installed server binaries: the sandbox, the demo and
// the test harness all use it. Datadir, socket, pid file and log live in one directory.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { failure } from "../errors.js";
import { findProgram } from "../exec/clients.js";
import { pidAlive } from "../exec/pid.js";
import { runProgram } from "../exec/run.js";
import { connect } from "./mysql.js";
import type { DbTarget } from "./types.js";

export interface ServerOptions {
  /** Directory that will hold data/, mysqld.sock, mysqld.pid and mysqld.log. */
  baseDir: string;
  port?: number;
  lowerCaseTableNames?: 0 | 1 | 2;
  /** ProcessMaker runs with a non-strict sql_mode; keep that the default here. */
  sqlMode?: string;
  /** No TCP listener at all (`skip-networking`, a common hardening): reachable by socket only. */
  skipNetworking?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  startTimeoutMs?: number;
}

export interface ServerState {
  baseDir: string;
  port: number;
  socket: string;
  pid: number;
  rootPassword: string;
  lowerCaseTableNames: number;
  /** True when the server listens on its socket only; `port` is then unused. */
  skipNetworking?: boolean;
}

export const SERVER_STATE_FILE = "server.json";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

export function rootTarget(s: ServerState): DbTarget {
  if (s.skipNetworking) {
    return {
      host: "localhost",
      port: undefined,
      socketPath: s.socket,
      user: "root",
      password: s.rootPassword,
    };
  }
  return { host: "127.0.0.1", port: s.port, user: "root", password: s.rootPassword };
}

export async function readServerState(baseDir: string): Promise<ServerState | undefined> {
  try {
    return JSON.parse(await readFile(path.join(baseDir, SERVER_STATE_FILE), "utf8")) as ServerState;
  } catch {
    return undefined;
  }
}

async function waitReady(
  target: DbTarget,
  child: { exitCode: number | null },
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const db = await connect(target);
      await db.close();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  const log = existsSync(logFile)
    ? (await readFile(logFile, "utf8")).split("\n").slice(-15).join("\n")
    : "";
  throw failure(
    "SERVER.START",
    `The private MariaDB server did not start: ${(lastError as Error | undefined)?.message ?? "it exited"}\n${log}`,
  );
}

/** Where a server's files live inside its base directory. */
interface ServerPaths {
  baseDir: string;
  dataDir: string;
  socket: string;
  pidFile: string;
  logFile: string;
  tmpDir: string;
}

function serverPaths(baseDir: string): ServerPaths {
  return {
    baseDir,
    dataDir: path.join(baseDir, "data"),
    socket: path.join(baseDir, "mysqld.sock"),
    pidFile: path.join(baseDir, "mysqld.pid"),
    logFile: path.join(baseDir, "mysqld.log"),
    tmpDir: path.join(baseDir, "tmp"),
  };
}

/**
 * Starts the server in opts.baseDir (creating its datadir on first use) and waits until it
 * answers; a server already running there is reused. A new datadir's root gets a generated
 * password, also valid over TCP from 127.0.0.1. The state is saved to server.json (mode 0600).
 */
export async function startServer(opts: ServerOptions): Promise<ServerState> {
  const env = opts.env ?? process.env;
  const p = serverPaths(path.resolve(opts.baseDir));
  const lctn = opts.lowerCaseTableNames ?? 0;
  await mkdir(p.baseDir, { recursive: true, mode: 0o700 });
  const previous = await readServerState(p.baseDir);
  if (previous && pidAlive(previous.pid)) return previous;

  const fresh = !existsSync(path.join(p.dataDir, "mysql"));
  if (fresh) await installDataDir(p.dataDir, lctn, env);
  const port = opts.port ?? previous?.port ?? (await freePort());
  const server = await findProgram("server", env);
  await mkdir(p.tmpDir, { recursive: true, mode: 0o700 });
  const child = spawn(server, serverArgs(p, port, lctn, opts), {
    detached: true,
    stdio: "ignore",
  });
  child.unref();
  const socketTarget: DbTarget = {
    host: "localhost",
    port: undefined,
    socketPath: p.socket,
    user: "root",
    password: previous?.rootPassword ?? "",
  };
  await waitReady(socketTarget, child, p.logFile, opts.startTimeoutMs ?? 60_000);
  const state: ServerState = {
    baseDir: p.baseDir,
    port,
    socket: p.socket,
    pid: child.pid ?? 0,
    rootPassword: socketTarget.password,
    lowerCaseTableNames: lctn,
    ...(opts.skipNetworking ? { skipNetworking: true } : {}),
  };
  if (fresh) state.rootPassword = await setRootPassword(socketTarget);
  await writeFile(path.join(p.baseDir, SERVER_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, {
    mode: 0o600,
  });
  return state;
}

/** mariadb-install-db into an empty datadir: system tables, root by password, no test db. */
async function installDataDir(
  dataDir: string,
  lctn: number,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const installDb = await findProgram("install-db", env);
  await runProgram(
    installDb,
    [
      "--no-defaults",
      `--datadir=${dataDir}`,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
      ...(isRoot() ? ["--user=root"] : []),
      `--lower-case-table-names=${lctn}`,
    ],
    { timeoutMs: 120_000 },
  );
}

/** mariadbd's command line: everything in baseDir, no defaults files, tuned for a disposable server. */
function serverArgs(p: ServerPaths, port: number, lctn: number, opts: ServerOptions): string[] {
  return [
    "--no-defaults",
    `--datadir=${p.dataDir}`,
    `--socket=${p.socket}`,
    ...(opts.skipNetworking
      ? ["--skip-networking"]
      : [`--port=${port}`, "--bind-address=127.0.0.1"]),
    `--pid-file=${p.pidFile}`,
    `--log-error=${p.logFile}`,
    // Its own temp dir: internal temp tables must not depend on what else uses /tmp.
    `--tmpdir=${p.tmpDir}`,
    `--lower-case-table-names=${lctn}`,
    `--sql-mode=${opts.sqlMode ?? "NO_ENGINE_SUBSTITUTION"}`,
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_general_ci",
    // A disposable server: favour speed over durability.
    "--innodb-buffer-pool-size=256M",
    "--innodb-log-file-size=128M",
    "--innodb-flush-log-at-trx-commit=2",
    "--innodb-doublewrite=0",
    "--skip-log-bin",
    "--max-allowed-packet=256M",
    "--max-connections=200",
    ...(isRoot() ? ["--user=root"] : []),
  ];
}

/** A new server's root: a generated password, over TCP from 127.0.0.1 as well as the socket. */
async function setRootPassword(socketTarget: DbTarget): Promise<string> {
  const { randomBytes } = await import("node:crypto");
  const password = randomBytes(18).toString("base64url");
  const db = await connect(socketTarget);
  try {
    await db.execute("ALTER USER 'root'@'localhost' IDENTIFIED BY ?", [password]);
    await db.execute("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ?", [password]);
    await db.execute("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
  } finally {
    await db.close();
  }
  return password;
}

export async function stopServer(baseDir: string, timeoutMs = 30_000): Promise<boolean> {
  const state = await readServerState(baseDir);
  if (!state || !pidAlive(state.pid)) return false;
  process.kill(state.pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (pidAlive(state.pid)) process.kill(state.pid, "SIGKILL");
  return true;
}

export async function destroyServer(baseDir: string): Promise<void> {
  await stopServer(baseDir);
  await rm(baseDir, { recursive: true, force: true });
}
