// rbac.inert-grant and rbac.advisory-companion, computed from the role→permission pairs a
// workspace holds and the companion rules in the shared permission catalog (pm3-permissions.md).
// The pairs table is tiny (roles × permissions), so it is read whole and judged here, purely.
import {
  PERMISSIONS,
  STOCK_ROLE_PERMISSIONS,
  type PermissionInfo,
} from "../rbac/permission-catalog.js";
import { MAX_EXAMPLES, type Example, type Finding } from "./types.js";

export interface Grant {
  role: string;
  permission: string;
}

export interface GrantFindings {
  inert: Finding;
  advisory: Finding;
}

/**
 * Whether a stock role lacks these companions of one of its stock permissions just as
 * ProcessMaker ships it (the seed's PROCESSMAKER_MANAGER holds PM_SETUP_* without PM_SETUP,
 * pm3-permissions.md): that is the product's design, not damage, so a fresh workspace is clean.
 * A companion the seed gives the role and someone revoked is still reported.
 */
export function asShipped(role: string, permission: string, lacking: readonly string[]): boolean {
  const stock = STOCK_ROLE_PERMISSIONS[role];
  if (stock === undefined || !stock.includes(permission)) return false;
  return lacking.every((c) => !stock.includes(c));
}

function finding(examples: Example[]): Finding {
  return { count: examples.length, examples: examples.slice(0, MAX_EXAMPLES) };
}

export function judgeGrants(
  grants: readonly Grant[],
  catalog: readonly PermissionInfo[] = PERMISSIONS,
): GrantFindings {
  const held = new Map<string, Set<string>>();
  for (const g of grants) {
    const set = held.get(g.role) ?? new Set<string>();
    set.add(g.permission);
    held.set(g.role, set);
  }
  const byCode = new Map(catalog.map((p) => [p.code, p]));
  const inert: Example[] = [];
  const advisory: Example[] = [];
  const sorted = [...grants].sort(
    (a, b) => a.role.localeCompare(b.role) || a.permission.localeCompare(b.permission),
  );
  for (const g of sorted) {
    const info = byCode.get(g.permission);
    if (info === undefined) continue; // custom or plugin permissions have no known companions
    const has = held.get(g.role) ?? new Set<string>();
    const lacking = info.requires.filter((c) => !has.has(c));
    if (lacking.length > 0 && !asShipped(g.role, g.permission, lacking))
      inert.push({ ROLE: g.role, PERMISSION: g.permission, MISSING: lacking.join(",") });
    const advised = info.advisory.filter((c) => !has.has(c));
    if (advised.length > 0 && !asShipped(g.role, g.permission, advised))
      advisory.push({ ROLE: g.role, PERMISSION: g.permission, SUGGESTED: advised.join(",") });
  }
  return { inert: finding(inert), advisory: finding(advisory) };
}
