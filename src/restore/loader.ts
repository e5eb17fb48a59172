// The account a dump is loaded as. An archive's SQL is untrusted: run as the admin account it could
// drop other databases, create accounts, write files (INTO OUTFILE) or read another schema through
// a view. So it runs as a temporary account that holds ALL PRIVILEGES on the staging databases and
// nothing else — no FILE, SUPER, CREATE USER, GRANT OPTION, nothing on any other schema — created
// for the load and dropped right after (and by rollback or recovery if the run dies: the journal
// names it). The privilege model is the wall; the line filter in sql-rewrite.ts is a second line.
import { randomBytes } from "node:crypto";
import { createAccount, dropAccount, strongPassword } from "../db/accounts.js";
import type { Queryable } from "../db/types.js";

export interface LoaderAccount {
  user: string;
  host: string;
}

/** A fresh loader name: pmadmin's prefix, so a leftover one is recognisable, and random. */
export function newLoaderAccount(clientHost: string): LoaderAccount {
  return { user: `pmadmin_ld_${randomBytes(5).toString("hex")}`, host: clientHost };
}

/**
 * The host part the server gives this client (USER()): the loader's client connects from the same
 * place with the same connection target as the admin's connection, so it matches this exactly.
 */
export async function clientHost(db: Queryable): Promise<string> {
  const rows = await db.query<{ u: string }>("SELECT USER() AS u");
  const u = String(rows[0]?.u ?? "");
  const at = u.lastIndexOf("@");
  return at >= 0 ? u.slice(at + 1) : "localhost";
}

/** Creates the loader with ALL PRIVILEGES on `databases` only; returns its (random) password. */
export async function createLoader(
  db: Queryable,
  loader: LoaderAccount,
  databases: readonly string[],
): Promise<string> {
  const password = strongPassword(32);
  await createAccount(db, loader.user, password, { hosts: [loader.host], databases });
  return password;
}

export async function dropLoader(db: Queryable, loader: LoaderAccount): Promise<void> {
  await dropAccount(db, loader.user, [loader.host]);
}
