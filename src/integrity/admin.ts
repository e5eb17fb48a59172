// admin.missing / admin.expired / admin.expiring from the admin's RBAC_USERS row: login reads
// RBAC_USERS only and refuses a due date before today (processmaker-3.md §6.4).
import type { Example, Finding } from "./types.js";

export interface AdminRow {
  USR_UID: string;
  USR_USERNAME: string;
  USR_DUE_DATE: string;
}

export interface AdminFindings {
  missing: Finding;
  expired: Finding;
  expiring: Finding;
}

const NONE: Finding = { count: 0, examples: [] };

/** 'YYYY-MM-DD' of a Date in the machine's local time: ProcessMaker compares with the server's date. */
export function localDate(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Whole days from `today` to `due` (both 'YYYY-MM-DD'); negative when past. */
export function daysBetween(today: string, due: string): number {
  const t = Date.parse(`${today}T00:00:00Z`);
  const d = Date.parse(`${due.slice(0, 10)}T00:00:00Z`);
  return Math.round((d - t) / 86_400_000);
}

export function judgeAdmin(
  row: AdminRow | undefined,
  today: string,
  warnDays: number,
): AdminFindings {
  if (row === undefined)
    return { missing: { count: 1, examples: [] }, expired: NONE, expiring: NONE };
  const due = String(row.USR_DUE_DATE).slice(0, 10);
  const days = daysBetween(today, due);
  const example: Example = {
    USR_UID: row.USR_UID,
    USR_USERNAME: row.USR_USERNAME,
    USR_DUE_DATE: due,
    DAYS_LEFT: days,
  };
  if (days < 0)
    return { missing: NONE, expired: { count: 1, examples: [example] }, expiring: NONE };
  if (days <= warnDays)
    return { missing: NONE, expired: NONE, expiring: { count: 1, examples: [example] } };
  return { missing: NONE, expired: NONE, expiring: NONE };
}
