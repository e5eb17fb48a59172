// Connecting to a workspace's own database with the credentials in its db.php.
import type { DbEndpoint } from "./db-php.js";
import type { Workspace } from "./installation.js";
import { withDb } from "../db/mysql.js";
import type { Db, DbTarget } from "../db/types.js";

export function endpointTarget(e: DbEndpoint, database?: string): DbTarget {
  return {
    host: e.host,
    port: e.port,
    user: e.user,
    password: e.password,
    database: database ?? e.name,
  };
}

export function withWorkspaceDb<T>(
  ws: Workspace,
  env: Readonly<Record<string, string | undefined>>,
  fn: (db: Db) => Promise<T>,
): Promise<T> {
  return withDb(endpointTarget(ws.db.wf), env, fn);
}
