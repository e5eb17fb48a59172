// What the database holds before we dump it, asked as the workspace's own user: the server
// (version, lower_case_table_names), the database's default charset, and the tables, views,
// triggers, routines and events the dump must contain to count as complete.
import { serverInfo, withDb } from "../db/mysql.js";
import type { ServerInfo } from "../db/types.js";
import type { DbEndpoint } from "../install/db-php.js";
import { endpointTarget } from "../install/workspace-db.js";

export interface DatabaseInventory {
  name: string;
  server: ServerInfo;
  defaultCharset: string;
  defaultCollation: string;
  tables: string[];
  views: string[];
  triggers: string[];
  routines: string[];
  events: string[];
}

export function inspectDatabase(
  e: DbEndpoint,
  env: Readonly<Record<string, string | undefined>>,
): Promise<DatabaseInventory> {
  return withDb(endpointTarget(e), env, async (db) => {
    const server = await serverInfo(db);
    const names = async (sql: string): Promise<string[]> =>
      (await db.query<{ n: string }>(sql, [e.name])).map((r) => String(r.n));
    const schema = await db.query<{ c: string; l: string }>(
      "SELECT DEFAULT_CHARACTER_SET_NAME AS c, DEFAULT_COLLATION_NAME AS l FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
      [e.name],
    );
    return {
      name: e.name,
      server,
      defaultCharset: String(schema[0]?.c ?? ""),
      defaultCollation: String(schema[0]?.l ?? ""),
      tables: await names(
        "SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1",
      ),
      views: await names(
        "SELECT TABLE_NAME AS n FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY 1",
      ),
      triggers: await names(
        "SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY 1",
      ),
      routines: await names(
        "SELECT ROUTINE_NAME AS n FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY 1",
      ),
      events: await names(
        "SELECT EVENT_NAME AS n FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY 1",
      ),
    };
  });
}
