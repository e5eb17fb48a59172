// admin-status: how long the admin can still log in. Login reads RBAC_USERS.USR_DUE_DATE and
// refuses when it is before today, so the RBAC date decides; a USERS date that differs is a
// finding of its own.
import { daysBetween, parseSqlDate } from "../db/datetime.js";
import type { DbUser } from "../rbac/users.js";

export const DEFAULT_WARN_DAYS = 14;

export type AdminState = "ok" | "expiring" | "expired";

export interface AdminStatus {
  user: string;
  uid: string;
  dueDate: string;
  usersDueDate: string | null;
  daysLeft: number;
  state: AdminState;
  inStep: boolean;
  active: boolean;
  /** Whether this status should make admin-status exit 4. */
  finding: boolean;
}

export function classify(daysLeft: number, warnDays: number): AdminState {
  if (daysLeft < 0) return "expired";
  if (daysLeft <= warnDays) return "expiring";
  return "ok";
}

export function adminStatus(user: DbUser, now: Date, warnDays: number): AdminStatus {
  const rbacDue = user.rbac?.dueDate ?? user.wf?.dueDate ?? "";
  const due = parseSqlDate(rbacDue);
  const daysLeft = due ? daysBetween(now, due) : -1;
  const state = classify(daysLeft, warnDays);
  const inStep = user.wf !== null && user.rbac !== null && user.wf.dueDate === user.rbac.dueDate;
  const active = user.rbac?.status === "1";
  return {
    user: user.username,
    uid: user.uid,
    dueDate: rbacDue,
    usersDueDate: user.wf?.dueDate ?? null,
    daysLeft,
    state,
    inStep,
    active,
    finding: state !== "ok" || !inStep || !active,
  };
}
