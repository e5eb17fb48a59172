// Effective permissions, as HasAuthorization computes them (§2.2): direct names ∪ names of every
// group reached upward from the holder's groups through nested groups, plus the category views
// the server implies. Pure; the SQL that feeds it is in sql.ts.
import { impliedCategoryViews } from "./rules.js";

export interface GroupEdge {
  /** The member group … */
  child: number;
  /** … is in this (containing) group, whose permissions it inherits. */
  parent: number;
}

/**
 * Every group reachable upward from `seed`, each with the group it was first reached from
 * (undefined for seed groups). A visited set makes cycles harmless, as `processedGroups` does.
 */
export function groupClosure(
  seed: readonly number[],
  edges: readonly GroupEdge[],
): Map<number, number | undefined> {
  const parents = new Map<number, number[]>();
  for (const e of edges) parents.set(e.child, [...(parents.get(e.child) ?? []), e.parent]);
  const reached = new Map<number, number | undefined>();
  const queue: number[] = [];
  for (const g of seed) {
    if (!reached.has(g)) {
      reached.set(g, undefined);
      queue.push(g);
    }
  }
  for (let g = queue.shift(); g !== undefined; g = queue.shift()) {
    for (const p of parents.get(g) ?? []) {
      if (reached.has(p)) continue;
      reached.set(p, g);
      queue.push(p);
    }
  }
  return reached;
}

export interface EffectiveEntry {
  name: string;
  /** "direct", "group 'Ops' (via 'Designers')", or "implied by create-processes". */
  sources: string[];
}

export interface EffectiveInput {
  direct: readonly string[];
  /** Groups the holder belongs to directly (for a group: its containing groups). */
  seedGroups: readonly number[];
  edges: readonly GroupEdge[];
  groupPermissions: ReadonlyMap<number, readonly string[]>;
  groupNames: ReadonlyMap<number, string>;
  /** For a group holder: its own id, so its own names read "direct" even when a cycle leads back. */
  self?: number | undefined;
}

function viaText(
  g: number,
  closure: Map<number, number | undefined>,
  names: ReadonlyMap<number, string>,
): string {
  const chain: string[] = [];
  for (let from = closure.get(g); from !== undefined; from = closure.get(from))
    chain.push(`'${names.get(from) ?? `#${from}`}'`);
  const label = `group '${names.get(g) ?? `#${g}`}'`;
  return chain.length === 0 ? label : `${label} (via ${chain.join(" ← ")})`;
}

export function effectivePermissions(input: EffectiveInput): {
  entries: EffectiveEntry[];
  groups: number[];
} {
  const closure = groupClosure(input.seedGroups, input.edges);
  const sources = new Map<string, string[]>();
  const add = (name: string, source: string): void => {
    const list = sources.get(name) ?? [];
    if (!list.includes(source)) list.push(source);
    sources.set(name, list);
  };
  for (const n of input.direct) add(n, "direct");
  for (const g of closure.keys()) {
    const label = g === input.self ? "direct" : viaText(g, closure, input.groupNames);
    for (const n of input.groupPermissions.get(g) ?? []) add(n, label);
  }
  for (const [view, by] of impliedCategoryViews(new Set(sources.keys())))
    add(view, `implied by ${by}`);
  const entries = [...sources]
    .map(([name, s]) => ({ name, sources: s }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { entries, groups: [...closure.keys()] };
}
