// A ProcessMaker user as both tables hold it (USERS for the workflow engine, RBAC_USERS for login),
// and changing a user's role the way User::update / Roles::assignUserToRole do: USERS.USR_ROLE
// (the code) and RBAC_USERS_ROLES (the UID) move together, the guest role rows are left alone.
import { localSqlDateTime } from "../db/datetime.js";
import { stmt, type Statement } from "../db/statement.js";
import type { Queryable } from "../db/types.js";
import { failure, refused, usage } from "../errors.js";
import { didYouMean } from "../ui/suggest.js";
import { GUEST_ROLE_UID, GUEST_USER_UID } from "./permission-catalog.js";
import type { DbRole } from "./state.js";

export interface UserSide {
  username: string;
  status: string;
  dueDate: string;
  password: string;
  updateDate: string | null;
}

export interface UserRoleRow {
  uid: string;
  code: string | null;
  system: string | null;
  status: number | null;
}

export interface DbUser {
  uid: string;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  /** USERS.USR_ROLE (a role code). */
  usrRole: string | null;
  lastLogin: string | null;
  /** The USERS row; null when only RBAC_USERS has the user. */
  wf: UserSide | null;
  /** The RBAC_USERS row (what login reads); null when missing. */
  rbac: UserSide | null;
  roles: UserRoleRow[];
}

type Row = {
  uid: string;
  username: string;
  first: string;
  last: string;
  email: string;
  status: string | number;
  due: string;
  pw: string;
  upd: string | null;
};

async function sideRow(
  db: Queryable,
  table: "USERS" | "RBAC_USERS",
  uid: string,
): Promise<Row | undefined> {
  const rows = await db.query<Row>(
    `SELECT USR_UID AS uid, USR_USERNAME AS username, USR_FIRSTNAME AS first, USR_LASTNAME AS last, USR_EMAIL AS email,
            USR_STATUS AS status, USR_DUE_DATE AS due, USR_PASSWORD AS pw, USR_UPDATE_DATE AS upd
       FROM ${table} WHERE USR_UID = ?`,
    [uid],
  );
  return rows[0];
}

const side = (r: Row | undefined): UserSide | null =>
  r
    ? {
        username: r.username,
        status: String(r.status),
        dueDate: r.due,
        password: r.pw,
        updateDate: r.upd,
      }
    : null;

/** A user by USR_UID or username (case-insensitive, as login matches it); exit 2 when unknown. */
export async function loadUser(db: Queryable, input: string): Promise<DbUser> {
  const matches = await db.query<{ uid: string }>(
    `SELECT USR_UID AS uid FROM USERS WHERE USR_UID = ? OR USR_USERNAME = ?
      UNION SELECT USR_UID FROM RBAC_USERS WHERE USR_UID = ? OR USR_USERNAME = ?`,
    [input, input, input, input],
  );
  const uids = [...new Set(matches.map((m) => m.uid))];
  const uid = uids.includes(input) ? input : uids.length === 1 ? uids[0] : undefined;
  if (uid === undefined) {
    if (uids.length > 1) {
      throw usage(
        "USER.AMBIGUOUS",
        `More than one user is called '${input}' (${uids.join(", ")}).`,
        { hint: "Name the user by USR_UID instead." },
      );
    }
    const names = (await db.query<{ n: string }>("SELECT USR_USERNAME AS n FROM USERS")).map(
      (r) => r.n,
    );
    throw usage("USER.UNKNOWN", `Unknown user '${input}'.${didYouMean(input, names)}`, {
      hint: "Name the user by username or USR_UID ('pmadmin info' counts the users of each workspace).",
    });
  }
  const wfRow = await sideRow(db, "USERS", uid);
  const rbRow = await sideRow(db, "RBAC_USERS", uid);
  const extra = wfRow
    ? (
        await db.query<{ role: string | null; last: string | null }>(
          "SELECT USR_ROLE AS role, USR_LAST_LOGIN AS last FROM USERS WHERE USR_UID = ?",
          [uid],
        )
      )[0]
    : undefined;
  const roles = await db.query<{
    uid: string;
    code: string | null;
    sys: string | null;
    status: number | string | null;
  }>(
    `SELECT ur.ROL_UID AS uid, r.ROL_CODE AS code, r.ROL_SYSTEM AS sys, r.ROL_STATUS AS status
       FROM RBAC_USERS_ROLES ur LEFT JOIN RBAC_ROLES r ON r.ROL_UID = ur.ROL_UID
      WHERE ur.USR_UID = ? ORDER BY ur.ROL_UID`,
    [uid],
  );
  const base = (wfRow ?? rbRow) as Row;
  return {
    uid,
    username: base.username,
    firstName: base.first,
    lastName: base.last,
    email: base.email,
    usrRole: extra?.role ?? null,
    lastLogin: extra?.last ?? null,
    wf: side(wfRow),
    rbac: side(rbRow),
    roles: roles.map((r) => ({
      uid: r.uid,
      code: r.code,
      system: r.sys,
      status: r.status === null ? null : Number(r.status),
    })),
  };
}

/** Both rows must exist before pmadmin changes a user: it always writes both tables. */
export function assertBothTables(user: DbUser): { wf: UserSide; rbac: UserSide } {
  if (!user.wf || !user.rbac) {
    const missing = user.wf ? "RBAC_USERS" : "USERS";
    throw failure(
      "USER.OUT_OF_STEP",
      `User ${user.username} (${user.uid}) has no ${missing} row; pmadmin changes users only when both tables hold them.`,
      {
        hint: "Run 'pmadmin check-integrity' and repair the user in ProcessMaker first.",
      },
    );
  }
  return { wf: user.wf, rbac: user.rbac };
}

export interface UserRolePlan {
  user: DbUser;
  role: DbRole;
  /** RBAC_USERS_ROLES rows of the same system (not the guest role) that go. */
  replaced: UserRoleRow[];
  changes: boolean;
  statements: Statement[];
}

export function planUserRole(user: DbUser, role: DbRole, now: Date): UserRolePlan {
  if (user.uid === GUEST_USER_UID) {
    throw refused(
      "USER.GUEST_PROTECTED",
      "The guest user is protected; ProcessMaker refuses to change it and so does pmadmin. Nothing changed.",
    );
  }
  if (role.status !== 1) {
    throw usage(
      "RBAC.ROLE_INACTIVE",
      `Role ${role.code} is inactive and cannot be assigned to users. Nothing changed.`,
      {
        hint: `Activate it first with 'pmadmin role activate ${role.code}', or pick an active role.`,
      },
    );
  }
  assertBothTables(user);
  const sameSystem = user.roles.filter((r) => r.system === role.system && r.uid !== GUEST_ROLE_UID);
  const replaced = sameSystem.filter((r) => r.uid !== role.uid);
  const holds = user.roles.some((r) => r.uid === role.uid);
  const changes = replaced.length > 0 || !holds || user.usrRole !== role.code;
  const stamp = localSqlDateTime(now);
  const statements: Statement[] = changes
    ? [
        ...replaced.map((r) =>
          stmt("DELETE FROM RBAC_USERS_ROLES WHERE USR_UID = ? AND ROL_UID = ?", user.uid, r.uid),
        ),
        ...(holds
          ? []
          : [
              stmt(
                "INSERT INTO RBAC_USERS_ROLES (USR_UID, ROL_UID) VALUES (?, ?)",
                user.uid,
                role.uid,
              ),
            ]),
        stmt(
          "UPDATE USERS SET USR_ROLE = ?, USR_UPDATE_DATE = ? WHERE USR_UID = ?",
          role.code,
          stamp,
          user.uid,
        ),
        stmt("UPDATE RBAC_USERS SET USR_UPDATE_DATE = ? WHERE USR_UID = ?", stamp, user.uid),
      ]
    : [];
  return { user, role, replaced, changes, statements };
}
