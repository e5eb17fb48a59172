// Grant and revoke: plan (pure), then apply in one transaction. The rows written are those
// PermissionController::update's sync() would leave: one (permission_id, type, holder) row each.
import { usage } from "../errors.js";
import { missingRequirements, orphanedByRevoke } from "./rules.js";
import type { PermissionRow } from "./sql.js";
import type { Statement } from "../db/statement.js";
import { grantStatement, revokeStatement } from "./statements.js";
import type { Holder } from "./lookup.js";

export interface GrantPlan {
  holder: Holder;
  /** Names that will get a row, requested ones first, then the required ones. */
  add: PermissionRow[];
  alreadyHeld: string[];
  /** Added because of --with-required: required name → the names that need it. */
  required: Array<{ name: string; neededBy: string[] }>;
  statements: Statement[];
}

export function planGrant(
  holder: Holder,
  requested: readonly PermissionRow[],
  held: ReadonlyMap<string, number>,
  all: readonly PermissionRow[],
  withRequired: boolean,
): GrantPlan {
  const byName = new Map(all.map((p) => [p.name, p]));
  const known = new Set(byName.keys());
  const missing = missingRequirements(
    requested.map((p) => p.name),
    new Set(held.keys()),
    known,
  );
  if (missing.size > 0 && !withRequired) {
    const list = [...missing].map(([req, by]) => `${req} (needed by ${by.join(", ")})`);
    throw usage(
      "PM4.REQUIRED_MISSING",
      `The grant would leave ${holder.kind} '${holder.name}' without ${list.join("; ")}.`,
      {
        hint: `Add them to the command, or pass --with-required to grant them too: ${[...missing.keys()].join(" ")}`,
        details: { missing: [...missing.keys()] },
      },
    );
  }
  const required = [...missing].map(([name, neededBy]) => ({ name, neededBy }));
  const wanted = [...requested, ...required.map((r) => byName.get(r.name) as PermissionRow)];
  const add = wanted.filter((p) => !held.has(p.name));
  return {
    holder,
    add,
    alreadyHeld: wanted.filter((p) => held.has(p.name)).map((p) => p.name),
    required,
    statements: add.map((p) => grantStatement(p.id, holder.type, holder.id)),
  };
}

export interface RevokePlan {
  holder: Holder;
  remove: Array<{ name: string; rows: number }>;
  notHeld: string[];
  /** Names still held that need a revoked one; reported, not refused (the server needs neither). */
  orphaned: Array<{ name: string; needs: string[] }>;
  statements: Statement[];
}

export function planRevoke(
  holder: Holder,
  requested: readonly PermissionRow[],
  held: ReadonlyMap<string, number>,
  all: readonly PermissionRow[],
): RevokePlan {
  const present = requested.filter((p) => held.has(p.name));
  const names = present.map((p) => p.name);
  const after = new Set([...held.keys()].filter((n) => !names.includes(n)));
  const orphaned = orphanedByRevoke(names, after, new Set(all.map((p) => p.name)));
  return {
    holder,
    remove: present.map((p) => ({ name: p.name, rows: held.get(p.name) ?? 0 })),
    notHeld: requested.filter((p) => !held.has(p.name)).map((p) => p.name),
    orphaned: [...orphaned].map(([name, needs]) => ({ name, needs })),
    statements:
      present.length === 0
        ? []
        : [
            revokeStatement(
              present.map((p) => p.id),
              holder.type,
              holder.id,
            ),
          ],
  };
}

/** Runs the statements in one transaction; returns the rows each one changed. */
