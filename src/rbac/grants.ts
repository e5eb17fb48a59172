// Granting and revoking permissions on a role: the rules as pure functions that return a plan
// (what changes, what is already so, what to warn about) and the SQL that carries it out. The SQL
// mirrors Roles::assignPermissionRole / deletePermissionRole: one RBAC_ROLES_PERMISSIONS row each.
import { stmt, type Statement } from "../db/statement.js";
import { refused, usage } from "../errors.js";
import type { DbPermission, DbRole, RbacState } from "./state.js";

export interface GrantPlan {
  role: DbRole;
  /** Rows to insert, the requested ones first, then companions added by --with-required. */
  add: DbPermission[];
  companions: DbPermission[];
  already: DbPermission[];
  warnings: string[];
  statements: Statement[];
}

export interface RevokePlan {
  role: DbRole;
  remove: DbPermission[];
  notHeld: DbPermission[];
  warnings: string[];
  statements: Statement[];
}

function byCode(state: RbacState, code: string): DbPermission | undefined {
  return state.permissions.find((p) => p.code === code);
}

function requiresOf(p: DbPermission): readonly string[] {
  return p.catalog?.requires ?? [];
}

/** Every companion `codes` need, followed transitively (PM_SETUP_LANGUAGE → PM_SETUP_ADVANCE → PM_SETUP). */
export function requiredClosure(state: RbacState, perms: readonly DbPermission[]): string[] {
  const out = new Set<string>();
  const queue = perms.flatMap((p) => [...requiresOf(p)]);
  while (queue.length > 0) {
    const code = queue.shift() as string;
    if (out.has(code)) continue;
    out.add(code);
    const p = byCode(state, code);
    if (p) queue.push(...requiresOf(p));
  }
  return [...out];
}

/** Held permissions that are inert because a required companion is not held too. */
export function inertGrants(
  state: RbacState,
  held: readonly DbPermission[],
): Array<{ permission: DbPermission; missing: string[] }> {
  const codes = new Set(held.map((p) => p.code));
  const out: Array<{ permission: DbPermission; missing: string[] }> = [];
  for (const p of held) {
    const missing = requiresOf(p).filter((c) => !codes.has(c));
    if (missing.length > 0) out.push({ permission: p, missing });
  }
  return out;
}

function dedupe(perms: readonly DbPermission[]): DbPermission[] {
  const seen = new Set<string>();
  return perms.filter((p) => (seen.has(p.uid) ? false : (seen.add(p.uid), true)));
}

export function planGrant(
  state: RbacState,
  role: DbRole,
  requested: readonly DbPermission[],
  opts: { withRequired: boolean },
): GrantPlan {
  const heldUids = state.grants.get(role.uid) ?? new Set<string>();
  const wanted = dedupe(requested);
  const already = wanted.filter((p) => heldUids.has(p.uid));
  const add = wanted.filter((p) => !heldUids.has(p.uid));
  const afterCodes = new Set(
    [...state.permissions.filter((p) => heldUids.has(p.uid)), ...wanted].map((p) => p.code),
  );
  const missing = requiredClosure(state, add).filter((c) => !afterCodes.has(c));
  const companions: DbPermission[] = [];
  if (missing.length > 0) {
    if (!opts.withRequired) {
      const needs = add
        .map((p) => [p.code, requiresOf(p).filter((c) => missing.includes(c))] as const)
        .filter(([, m]) => m.length > 0)
        .map(([code, m]) => `${code} needs ${m.join(", ")}`);
      throw usage(
        "RBAC.MISSING_REQUIRED",
        `Refusing an inert grant on ${role.code}: ${needs.join("; ")} (without ${missing.join(", ")} it has no effect). Nothing changed.`,
        {
          hint: `Grant ${missing.join(", ")} too, or add --with-required to grant them in the same change.`,
          details: { missing },
        },
      );
    }
    for (const code of missing) {
      const p = byCode(state, code);
      if (!p) {
        throw usage(
          "RBAC.COMPANION_NOT_IN_WORKSPACE",
          `${code} is required but does not exist in this workspace's RBAC_PERMISSIONS.`,
          {
            hint: "Run ProcessMaker's upgrade on the workspace so the stock permissions exist, then retry.",
          },
        );
      }
      companions.push(p);
    }
  }
  const warnings: string[] = [];
  const finalCodes = new Set([...afterCodes, ...companions.map((p) => p.code)]);
  for (const p of add) {
    const advice = (p.catalog?.advisory ?? []).filter((c) => !finalCodes.has(c));
    if (advice.length > 0)
      warnings.push(
        `${p.code} is reached through a menu that also needs ${advice.join(", ")}; ${role.code} does not hold it.`,
      );
  }
  if (!finalCodes.has("PM_LOGIN"))
    warnings.push(`${role.code} does not hold PM_LOGIN: its users cannot log in.`);
  const rows = [...add, ...companions];
  return {
    role,
    add: rows,
    companions,
    already,
    warnings,
    statements: rows.map((p) =>
      stmt("INSERT INTO RBAC_ROLES_PERMISSIONS (ROL_UID, PER_UID) VALUES (?, ?)", role.uid, p.uid),
    ),
  };
}

export function planRevoke(
  state: RbacState,
  role: DbRole,
  requested: readonly DbPermission[],
  opts: { force: boolean },
): RevokePlan {
  const heldUids = state.grants.get(role.uid) ?? new Set<string>();
  const wanted = dedupe(requested);
  const remove = wanted.filter((p) => heldUids.has(p.uid));
  const notHeld = wanted.filter((p) => !heldUids.has(p.uid));
  const warnings: string[] = [];
  if (remove.some((p) => p.code === "PM_LOGIN")) {
    if (!opts.force) {
      throw refused(
        "RBAC.REVOKE_LOGIN",
        `Refusing to revoke PM_LOGIN from ${role.code}: its ${role.users} user(s) could no longer log in. Nothing changed.`,
        {
          hint: "Add --force if that is what you want (every role needs PM_LOGIN to be usable).",
        },
      );
    }
    warnings.push(
      `PM_LOGIN revoked: the ${role.users} user(s) of ${role.code} can no longer log in.`,
    );
  }
  if (remove.some((p) => p.code === "PM_SUPERVISOR")) {
    warnings.push(
      `PM_SUPERVISOR revoked: users of ${role.code} who are process supervisors lose the Review list and supervisor actions.`,
    );
  }
  const removedCodes = new Set(remove.map((p) => p.code));
  const remaining = state.permissions.filter(
    (p) => heldUids.has(p.uid) && !removedCodes.has(p.code),
  );
  for (const { permission, missing } of inertGrants(state, remaining)) {
    const caused = missing.filter((c) => removedCodes.has(c));
    if (caused.length > 0)
      warnings.push(
        `${permission.code} becomes inert on ${role.code} without ${caused.join(", ")}.`,
      );
  }
  return {
    role,
    remove,
    notHeld,
    warnings,
    statements: remove.map((p) =>
      stmt("DELETE FROM RBAC_ROLES_PERMISSIONS WHERE ROL_UID = ? AND PER_UID = ?", role.uid, p.uid),
    ),
  };
}
