// Database accounts pmadmin makes: a workspace's own user (for both hosts ProcessMaker creates it
// for: `localhost` for the socket, `%` for TCP) and restore's temporary loader (one host). One
// place for the name, the password, CREATE USER, the grant on one database and DROP USER.
import { randomBytes } from "node:crypto";
import { ident, literal } from "./sql-text.js";
import type { Queryable } from "./types.js";

/** The hosts a workspace's database user exists for. */
export const WORKSPACE_HOSTS: readonly string[] = ["localhost", "%"];

/** A db user name as ProcessMaker makes them: 'wf_' + 13 hex characters. */
export function newAccountName(): string {
  return `wf_${randomBytes(7).toString("hex").slice(0, 13)}`;
}

/** A strong password without characters that need quoting in db.php or option files. */
export function strongPassword(length = 20): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789._-";
  const bytes = randomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[(bytes[i] ?? 0) % alphabet.length];
  return out;
}

/** A grant's database name is a LIKE pattern: escape `_` and `%` so it names one database only. */
export function grantDatabase(name: string): string {
  return ident(name.replace(/[_%\\]/g, (c) => `\\${c}`));
}

function account(user: string, host: string): string {
  return `${literal(user)}@${literal(host)}`;
}

export interface CreateAccountOptions {
  /** Default: both workspace hosts. */
  hosts?: readonly string[];
  /** ALL PRIVILEGES on each of these databases (and nothing else). */
  databases: readonly string[];
  /** Leave an existing user@host as it is (still granted the databases); default: create always. */
  ifMissing?: boolean;
  withGrantOption?: boolean;
}

/**
 * Creates `user` for each host and grants it ALL PRIVILEGES on each database. Returns whether
 * it created any user@host (false when all existed and `ifMissing` was set).
 */
export async function createAccount(
  db: Queryable,
  user: string,
  password: string,
  o: CreateAccountOptions,
): Promise<boolean> {
  let created = false;
  for (const host of o.hosts ?? WORKSPACE_HOSTS) {
    if (!o.ifMissing || !(await accountExists(db, user, host))) {
      await db.execute(`CREATE USER ${account(user, host)} IDENTIFIED BY ${literal(password)}`);
      created = true;
    }
    for (const d of o.databases)
      await db.execute(
        `GRANT ALL PRIVILEGES ON ${grantDatabase(d)}.* TO ${account(user, host)}${o.withGrantOption ? " WITH GRANT OPTION" : ""}`,
      );
  }
  return created;
}

async function accountExists(db: Queryable, user: string, host: string): Promise<boolean> {
  const rows = await db.query("SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?", [user, host]);
  return rows.length > 0;
}

/** Drops `user` for each host (default: both workspace hosts); a missing one is no error. */
export async function dropAccount(
  db: Queryable,
  user: string,
  hosts: readonly string[] = WORKSPACE_HOSTS,
): Promise<void> {
  for (const host of hosts) await db.execute(`DROP USER IF EXISTS ${account(user, host)}`);
}
