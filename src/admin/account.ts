// The admin account's due date and password. USERS and RBAC_USERS always change together, with
// USR_UPDATE_DATE, in one transaction (login reads RBAC_USERS; the application writes both).
import {
  addDays,
  daysBetween,
  parseSqlDate,
  localSqlDate,
  localSqlDateTime,
} from "../db/datetime.js";
import { stmt, type Statement } from "../db/statement.js";
import { refused, usage } from "../errors.js";
import { GUEST_USER_UID } from "../rbac/permission-catalog.js";
import { assertBothTables, type DbUser } from "../rbac/users.js";
import { HASH_PLACEHOLDER } from "./password-history.js";

export const DEFAULT_EXTEND_DAYS = 90;

export interface DueDateChoice {
  days?: number | undefined;
  until?: string | undefined;
  force: boolean;
}

/** The new due date for extend-admin: N days from today (default 90) or a given date. */
export function extendedDueDate(choice: DueDateChoice, now: Date): string {
  if (choice.days !== undefined && choice.until !== undefined) {
    throw usage("ADMIN.DAYS_AND_UNTIL", "Give either --days or --until, not both.");
  }
  if (choice.until !== undefined) {
    const date = parseSqlDate(choice.until);
    if (!date)
      throw usage("ADMIN.BAD_DATE", `--until '${choice.until}' is not a date.`, {
        hint: "Write it as YYYY-MM-DD, e.g. 2027-03-31.",
      });
    if (daysBetween(now, date) < 0 && !choice.force) {
      throw refused(
        "ADMIN.DATE_IN_PAST",
        `--until ${choice.until} is before today (${localSqlDate(now)}); the account could not log in. Nothing changed.`,
        {
          hint: "Pick a date from today on, use expire-admin to lock the account, or add --force.",
        },
      );
    }
    return localSqlDate(date);
  }
  const days = choice.days ?? DEFAULT_EXTEND_DAYS;
  return localSqlDate(addDays(now, days));
}

export function expiredDueDate(now: Date): string {
  return localSqlDate(addDays(now, -1));
}

export interface AccountChange {
  user: DbUser;
  from: { users: string; rbac: string };
  to: string;
  changes: boolean;
  statements: Statement[];
}

export function assertChangeableAccount(user: DbUser): void {
  if (user.uid === GUEST_USER_UID) {
    throw refused(
      "USER.GUEST_PROTECTED",
      "The guest user is protected; ProcessMaker refuses to change it and so does pmadmin. Nothing changed.",
    );
  }
}

/**
 * Due date (and optionally password hash) in both tables. `passwordHash` is redacted in the
 * printed SQL: a dry run never shows it.
 */
export function planAccountChange(
  user: DbUser,
  dueDate: string,
  now: Date,
  passwordHash?: string,
): AccountChange {
  assertChangeableAccount(user);
  const { wf, rbac } = assertBothTables(user);
  const changes = wf.dueDate !== dueDate || rbac.dueDate !== dueDate || passwordHash !== undefined;
  const stamp = localSqlDateTime(now);
  const statements: Statement[] = [];
  if (changes) {
    for (const table of ["USERS", "RBAC_USERS"]) {
      if (passwordHash === undefined) {
        statements.push(
          stmt(
            `UPDATE ${table} SET USR_DUE_DATE = ?, USR_UPDATE_DATE = ? WHERE USR_UID = ?`,
            dueDate,
            stamp,
            user.uid,
          ),
        );
      } else {
        statements.push({
          ...stmt(
            `UPDATE ${table} SET USR_DUE_DATE = ?, USR_PASSWORD = ?, USR_UPDATE_DATE = ? WHERE USR_UID = ?`,
            dueDate,
            passwordHash,
            stamp,
            user.uid,
          ),
          redact: new Map([[1, HASH_PLACEHOLDER]]),
        });
      }
    }
  }
  return {
    user,
    from: { users: wf.dueDate, rbac: rbac.dueDate },
    to: dueDate,
    changes,
    statements,
  };
}

/**
 * extend-admin extends: a due date earlier than the one the account has (login reads
 * RBAC_USERS) would cut its life short without a word, so it needs --force.
 */
export function assertNotShortened(change: AccountChange, force: boolean): void {
  const current = change.from.rbac || change.from.users;
  if (force || current === "" || change.to >= current) return;
  throw refused(
    "ADMIN.DUE_DATE_EARLIER",
    `${change.user.username}'s due date is ${current}; the requested ${change.to} is earlier, so extend-admin would shorten it. Nothing changed.`,
    {
      hint: "Add --force to move it earlier anyway, pick a later date (--days N / --until YYYY-MM-DD), or use expire-admin to lock the account.",
    },
  );
}

/**
 * expire-admin: due date yesterday in both tables. An account already expired in both is left
 * alone: moving an older date forward to yesterday changes nothing that matters and loses the
 * record of when it expired.
 */
export function planExpire(user: DbUser, now: Date): AccountChange {
  const change = planAccountChange(user, expiredDueDate(now), now);
  const today = localSqlDate(now);
  if (change.from.users < today && change.from.rbac < today) {
    return { ...change, to: change.from.rbac, changes: false, statements: [] };
  }
  return change;
}
