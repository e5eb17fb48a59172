// Super Admin on/off: users.is_administrator (§2.1). Read on every request and never cached, so
// no cache work follows. The last-admin guard is checked in the plan and again, under row locks,
// inside the transaction right before the UPDATE.
import { refused, usage } from "../errors.js";
import type { Db, Queryable } from "../db/types.js";
import { refuseSystemUser, resolveUser } from "./lookup.js";
import { otherActiveAdmins, userById, type UserRow } from "./sql.js";
import type { Statement } from "../db/statement.js";
import { superAdminStatement } from "./statements.js";

export interface SuperAdminPlan {
  user: UserRow;
  on: boolean;
  /** False when the flag already has the wanted value. */
  changes: boolean;
  statement: Statement;
  /** Set when --force overrode the last-admin guard. */
  forcedLastAdmin: boolean;
}

export function parseSwitch(value: string): boolean {
  const v = value.toLowerCase();
  if (v === "on") return true;
  if (v === "off") return false;
  throw usage("PM4.BAD_SWITCH", `Expected 'on' or 'off', got '${value}'.`, {
    hint: "Example: pmadmin platform super-admin alice on",
  });
}

async function guard(db: Queryable, user: UserRow, force: boolean): Promise<boolean> {
  // Only an ACTIVE admin counts: removing a blocked or inactive one does not lock anyone out.
  if (!user.isAdministrator || user.status !== "ACTIVE") return false;
  if ((await otherActiveAdmins(db, user.id)).length > 0) return false;
  if (force) return true;
  throw refused(
    "PM4.LAST_SUPER_ADMIN",
    `'${user.username}' is the last active Super Admin; removing the flag would leave nobody who can administer ProcessMaker.`,
    {
      hint: "Make another user Super Admin first (pmadmin platform super-admin USER on), or pass --force.",
    },
  );
}

export async function planSuperAdmin(
  db: Queryable,
  ref: string,
  on: boolean,
  force: boolean,
): Promise<SuperAdminPlan> {
  const user = await resolveUser(db, ref);
  refuseSystemUser(user);
  const changes = user.isAdministrator !== on;
  const forcedLastAdmin = changes && !on ? await guard(db, user, force) : false;
  return { user, on, changes, statement: superAdminStatement(user.id, on), forcedLastAdmin };
}

export async function applySuperAdmin(db: Db, plan: SuperAdminPlan, force: boolean): Promise<void> {
  await db.transaction(async (tx) => {
    const user =
      (await userById(tx, plan.user.id, true)) ?? (await resolveUser(tx, plan.user.username));
    if (!plan.on) await guard(tx, user, force);
    await tx.execute(plan.statement.sql, plan.statement.params);
  });
}
