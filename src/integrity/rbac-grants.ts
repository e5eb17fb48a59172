// rbac.inert-grant and rbac.advisory-companion, computed from the role→permission pairs a
// workspace holds and the companion rules in the shared permission catalog (pm3-permissions.md).
// The pairs table is tiny (roles × permissions), so it is read whole and judged here, purely.
import { PERMISSIONS, type PermissionInfo } from "../rbac/permission-catalog.js";
import { MAX_EXAMPLES, type Example, type Finding } from "./types.js";

export interface Grant {
  role: string;
  permission: string;
}

export interface GrantFindings {
  inert: Finding;
  advisory: Finding;
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
    if (lacking.length > 0)
      inert.push({ ROLE: g.role, PERMISSION: g.permission, MISSING: lacking.join(",") });
    const advised = info.advisory.filter((c) => !has.has(c));
    if (advised.length > 0)
      advisory.push({ ROLE: g.role, PERMISSION: g.permission, SUGGESTED: advised.join(",") });
  }
  return { inert: finding(inert), advisory: finding(advisory) };
}
