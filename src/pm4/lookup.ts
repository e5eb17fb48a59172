// Turning names the user typed into rows, with "did you mean" errors (exit 2) when they miss.
import { refused, usage } from "../errors.js";
import type { Queryable } from "../db/types.js";
import { closest, didYouMean } from "../ui/suggest.js";
import {
  GROUP_TYPE,
  USER_TYPE,
  findGroups,
  findUsers,
  groupNames,
  usernames,
  type PermissionRow,
  type UserRow,
} from "./sql.js";

export interface Holder {
  kind: "user" | "group";
  id: number;
  name: string;
  /** assignables.assignable_type for this holder. */
  type: string;
  /** Set for users. */
  user?: UserRow;
}

export function holderLabel(h: Holder): string {
  return `${h.kind} '${h.name}' (#${h.id})`;
}

export async function resolveUser(db: Queryable, ref: string, forUpdate = false): Promise<UserRow> {
  const [u] = await findUsers(db, ref, forUpdate);
  if (u) return u;
  throw usage(
    "PM4.UNKNOWN_USER",
    `No user '${ref}' (by username or id; deleted users are ignored).${didYouMean(ref, await usernames(db))}`,
    {
      hint: "Pass the username as shown on the ProcessMaker Users page.",
    },
  );
}

export async function resolveHolder(
  db: Queryable,
  opts: { user?: string | undefined; group?: string | undefined },
): Promise<Holder> {
  if ((opts.user === undefined) === (opts.group === undefined)) {
    throw usage("PM4.HOLDER_REQUIRED", "Name exactly one of --user USER or --group GROUP.", {
      hint: "Example: pmadmin platform permission grant view-users --user alice",
    });
  }
  if (opts.user !== undefined) {
    const u = await resolveUser(db, opts.user);
    return { kind: "user", id: u.id, name: u.username, type: USER_TYPE, user: u };
  }
  const ref = opts.group as string;
  const found = await findGroups(db, ref);
  const exact = found.filter((g) => g.name === ref);
  if (exact.length > 1) {
    throw usage(
      "PM4.AMBIGUOUS_GROUP",
      `${exact.length} groups are named '${ref}' (ids ${exact.map((g) => g.id).join(", ")}).`,
      {
        hint: "Name the group by its id instead, e.g. --group 7.",
      },
    );
  }
  const g = exact[0] ?? found[0];
  if (!g) {
    const names = [...(await groupNames(db)).values()];
    throw usage("PM4.UNKNOWN_GROUP", `No group '${ref}'.${didYouMean(ref, names)}`, {
      hint: "Group names are case-sensitive; ids work too.",
    });
  }
  return { kind: "group", id: g.id, name: g.name, type: GROUP_TYPE };
}

/** Looks names up by `permissions.name` (never title or id). All unknown names are reported at once. */
export function resolvePermissions(
  names: readonly string[],
  all: readonly PermissionRow[],
): PermissionRow[] {
  const byName = new Map(all.map((p) => [p.name, p]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length > 0) {
    const parts = unknown.map((n) => {
      // closest() scores every substring match alike and keeps the first, so offer the names
      // nearest in length first: 'edit-user' should suggest edit-users, not edit-user-and-password.
      const candidates = all
        .map((p) => p.name)
        .sort((a, b) => Math.abs(a.length - n.length) - Math.abs(b.length - n.length));
      const m = closest(n, candidates);
      return m === undefined ? `'${n}'` : `'${n}' (did you mean '${m}'?)`;
    });
    throw usage(
      "PM4.UNKNOWN_PERMISSION",
      `Unknown permission${unknown.length > 1 ? "s" : ""} ${parts.join(", ")}.`,
      {
        hint: "Run 'pmadmin platform permission list' for the names this install has.",
      },
    );
  }
  return [...new Set(names)].map((n) => byName.get(n) as PermissionRow);
}

export function refuseSystemUser(u: UserRow): void {
  if (u.isSystem) {
    throw refused(
      "PM4.SYSTEM_USER",
      `'${u.username}' is a system account (is_system = 1); pmadmin does not change it.`,
      {
        hint: "Choose a regular user.",
      },
    );
  }
}
