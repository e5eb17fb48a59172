// The test database server handed over by global-setup, and small helpers around it.
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { connect } from "../../src/db/mysql.js";
import type { Db, DbTarget } from "../../src/db/types.js";
import { parseDbUrl } from "../../src/install/db-url.js";

export function testDbUrl(): string {
  return inject("dbUrl");
}

export function adminTarget(): DbTarget {
  const c = parseDbUrl(testDbUrl());
  return { host: c.host, port: c.port, user: c.user, password: c.password };
}

export async function adminDb(database?: string): Promise<Db> {
  return connect({ ...adminTarget(), database });
}

/** A short unique suffix so test files sharing one server never collide. */
export function uniqueName(prefix = "t"): string {
  return `${prefix}${randomBytes(4).toString("hex")}`;
}
