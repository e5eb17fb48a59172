// The narrow database port the rest of pmadmin uses. Only src/db/mysql.ts imports mysql2.

export type Row = Record<string, unknown>;

export interface ExecResult {
  affectedRows: number;
  insertId: number;
}

export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  execute(sql: string, params?: readonly unknown[]): Promise<ExecResult>;
}

export interface Db extends Queryable {
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly target: DbTarget;
}

export interface DbTarget {
  host: string;
  port: number | undefined;
  /** A unix socket; used instead of host/port when set. */
  socketPath?: string | undefined;
  user: string;
  password: string;
  database?: string | undefined;
}

export interface ServerInfo {
  version: string;
  /** "MariaDB" or "MySQL". */
  flavor: string;
  lowerCaseTableNames: number;
  versionComment: string;
}
