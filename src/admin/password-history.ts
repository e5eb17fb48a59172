// USERS_PROPERTIES.USR_PASSWORD_HISTORY, kept the way ProcessMaker's User::update keeps it: load or
// create the row, drop the oldest entry when the history is at the PPP_PASSWORD_HISTORY limit (0
// unless a password policy sets it, so one entry goes and the new hash takes its place), append the
// new hash, stamp USR_LAST_UPDATE_DATE. Workspaces without the table keep no history.
import { stmt, type Statement } from "../db/statement.js";
import type { Queryable } from "../db/types.js";
import { phpList, phpSerialize, phpUnserialize, type PhpValue } from "./php-serialize.js";

export const HASH_PLACEHOLDER = "'<new password hash>'";

export async function hasPasswordHistory(db: Queryable): Promise<boolean> {
  const rows = await db.query<{ n: number | string }>(
    `SELECT COUNT(*) AS n FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'USERS_PROPERTIES' AND COLUMN_NAME = 'USR_PASSWORD_HISTORY'`,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

function historyList(v: PhpValue): string[] {
  if (!(v instanceof Map)) return [];
  return [...v.values()].filter((x): x is string => typeof x === "string");
}

/** The new history (PHP-serialized) after recording `hash`. */
export function nextHistory(previous: string | null, hash: string, limit = 0): string {
  let list: string[] = [];
  if (previous !== null) {
    try {
      list = historyList(phpUnserialize(previous));
    } catch {
      list = [];
    }
  }
  if (list.length >= limit) list.shift();
  list.push(hash);
  return phpSerialize(phpList(list));
}

export async function planPasswordHistory(
  db: Queryable,
  userUid: string,
  hash: string,
  stamp: string,
): Promise<Statement[]> {
  const rows = await db.query<{ h: string | null }>(
    "SELECT USR_PASSWORD_HISTORY AS h FROM USERS_PROPERTIES WHERE USR_UID = ?",
    [userUid],
  );
  const redact = (index: number): ReadonlyMap<number, string> =>
    new Map([[index, "'<new password history>'"]]);
  const row = rows[0];
  if (row === undefined) {
    // loadOrCreateIfNotExists seeds the history with the new hash, which the update then rotates.
    const history = nextHistory(phpSerialize(phpList([hash])), hash);
    return [
      {
        ...stmt(
          "INSERT INTO USERS_PROPERTIES (USR_UID, USR_LAST_UPDATE_DATE, USR_LOGGED_NEXT_TIME, USR_PASSWORD_HISTORY) VALUES (?, ?, ?, ?)",
          userUid,
          stamp,
          0,
          history,
        ),
        redact: redact(3),
      },
    ];
  }
  return [
    {
      ...stmt(
        "UPDATE USERS_PROPERTIES SET USR_PASSWORD_HISTORY = ?, USR_LAST_UPDATE_DATE = ? WHERE USR_UID = ?",
        nextHistory(row.h, hash),
        stamp,
        userUid,
      ),
      redact: redact(0),
    },
  ];
}
