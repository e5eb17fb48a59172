// The one importer of mysql2. Errors are turned into typed errors that never carry a password.
import mysql from "mysql2/promise";
import { failure, interrupted } from "../errors.js";
import { connectionTarget, describeConnection, type ConnectionEnv } from "./connection-target.js";
import type { Db, DbTarget, ExecResult, Queryable, Row, ServerInfo } from "./types.js";

/** "user@socket /run/mysqld/mysqld.sock/db" or "user@host:3306/db": where it really connects. */
export function describeTarget(t: DbTarget, env?: ConnectionEnv): string {
  const where = describeConnection(connectionTarget(t, env));
  return `${t.user}@${where}${t.database ? `/${t.database}` : ""}`;
}

/** mysql2's options for a target; exported so a test can hold them against the option file's. */
export function connectionOptions(t: DbTarget, env?: ConnectionEnv): mysql.ConnectionOptions {
  const base: mysql.ConnectionOptions = {
    user: t.user,
    password: t.password,
    multipleStatements: false,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    charset: "utf8mb4_general_ci",
    connectTimeout: 10_000,
  };
  if (t.database) base.database = t.database;
  const c = connectionTarget(t, env);
  if (c.kind === "socket") return { ...base, socketPath: c.socketPath };
  return { ...base, host: c.host, port: c.port };
}

export function dbError(
  t: DbTarget,
  error: unknown,
  what = "connect to",
  env?: ConnectionEnv,
): Error {
  const e = error as { code?: string; sqlMessage?: string; message?: string };
  const msg = e.sqlMessage ?? e.message ?? String(error);
  const what2 = `Cannot ${what} the database server as ${describeTarget(t, env)}: ${msg}`;
  if (e.code === "ER_ACCESS_DENIED_ERROR" || e.code === "ER_DBACCESS_DENIED_ERROR") {
    return failure("DB.ACCESS_DENIED", what2, {
      hint: "Check the user and password (db.php for a workspace, --db-admin-url for the admin account).",
      cause: error,
    });
  }
  return failure("DB.CONNECT", what2, {
    hint: "Check that the database server is running and reachable from here.",
    cause: error,
  });
}

function wrap(
  conn: mysql.Connection | mysql.PoolConnection,
  pending: Set<(error: Error) => void>,
): Queryable {
  // Every statement can also be failed from outside (interruptOpenConnections).
  const run = <R>(sql: string, params?: readonly unknown[]): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      pending.add(reject);
      conn.query(sql, params as unknown[] | undefined).then(
        ([r]) => {
          pending.delete(reject);
          resolve(r as R);
        },
        (error: unknown) => {
          pending.delete(reject);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  return {
    query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
      return run<T[]>(sql, params);
    },
    async execute(sql: string, params?: readonly unknown[]): Promise<ExecResult> {
      const res = await run<unknown>(sql, params);
      const r = res as { affectedRows?: number; insertId?: number };
      return { affectedRows: r.affectedRows ?? 0, insertId: r.insertId ?? 0 };
    },
  };
}

export interface ConnectOptions {
  /**
   * Whether an interruption (Ctrl-C, SIGTERM) kills this connection's running statement at once.
   * Read-only work and single transactions are safe to cut (the server rolls back); the restore's
   * journaled swap opts out and finishes or undoes its step itself.
   */
  killOnInterrupt?: boolean;
}

interface OpenConnection {
  conn: mysql.Connection;
  target: DbTarget;
  env: ConnectionEnv | undefined;
  /** Rejecters of the statements in flight: a destroyed mysql2 connection never settles them. */
  pending: Set<(error: Error) => void>;
}

/** Connections that interruptOpenConnections() may kill. */
const interruptible = new Set<OpenConnection>();

/**
 * Kills the statements of every interruptible connection (KILL from a side connection: a
 * statement waiting on a lock would otherwise wait on the server long after we are gone) and
 * drops the connections, so awaiting code fails at once instead of hanging.
 */
export async function interruptOpenConnections(): Promise<void> {
  const victims = [...interruptible];
  interruptible.clear();
  await Promise.all(
    victims.map(async (v) => {
      try {
        const side = await mysql.createConnection(connectionOptions(v.target, v.env));
        try {
          await side.query(`KILL ${Number(v.conn.threadId)}`);
        } finally {
          side.destroy();
        }
      } catch {
        // the connection may already be gone; failing its statements below is what matters
      }
      for (const reject of v.pending) reject(interrupted());
      v.pending.clear();
      v.conn.destroy();
    }),
  );
}

/** `env` defaults to the run's (setConnectionEnv), so PM_DB_SOCKET applies either way. */
export async function connect(
  t: DbTarget,
  env?: ConnectionEnv,
  options: ConnectOptions = {},
): Promise<Db> {
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection(connectionOptions(t, env));
  } catch (error) {
    throw dbError(t, error, "connect to", env);
  }
  // Errors after connect (server gone away) must not crash the process as unhandled events.
  conn.on("error", () => undefined);
  const entry: OpenConnection = { conn, target: { ...t }, env, pending: new Set() };
  if (options.killOnInterrupt !== false) interruptible.add(entry);
  const q = wrap(conn, entry.pending);
  return {
    ...q,
    target: { ...t },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      await conn.beginTransaction();
      try {
        const result = await fn(q);
        await conn.commit();
        return result;
      } catch (error) {
        await conn.rollback().catch(() => undefined);
        throw error;
      }
    },
    async close(): Promise<void> {
      interruptible.delete(entry);
      await conn.end().catch(() => conn.destroy());
    },
  };
}

export async function withDb<T>(
  t: DbTarget,
  env: ConnectionEnv | undefined,
  fn: (db: Db) => Promise<T>,
): Promise<T> {
  const db = await connect(t, env);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export async function serverInfo(db: Queryable): Promise<ServerInfo> {
  const rows = await db.query<{ v: string; c: string; l: string | number }>(
    "SELECT VERSION() AS v, @@version_comment AS c, @@lower_case_table_names AS l",
  );
  const r = rows[0];
  const version = String(r?.v ?? "");
  const comment = String(r?.c ?? "");
  return {
    version,
    flavor: /mariadb/i.test(version) || /mariadb/i.test(comment) ? "MariaDB" : "MySQL",
    lowerCaseTableNames: Number(r?.l ?? 0),
    versionComment: comment,
  };
}
