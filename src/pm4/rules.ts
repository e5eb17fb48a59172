// Permission pairing rules, as pure functions over permission names (processmaker-4-permissions.md
// §3.6 and §2.2). The server enforces none of the pairings; the admin screen applies them and the
// documentation asks for them, so pmadmin keeps stored grants looking like the screen's.

/** "create-processes" → { action: "create", resource: "processes" }. */
export function splitName(name: string): { action: string; resource: string } | undefined {
  const i = name.indexOf("-");
  if (i <= 0 || i === name.length - 1) return undefined;
  return { action: name.slice(0, i), resource: name.slice(i + 1) };
}

/**
 * Names a permission needs beside it, limited to names that exist in this install:
 * - create-X implies edit-X (the screen ticks edit when create is ticked);
 * - any action on X needs view-X (the documentation: "View X is needed for the others").
 * We split at the first hyphen, so multi-hyphen names (create-process-categories) pair too; the
 * screen's greedy regex misses those, which reads as an accident rather than intent.
 */
export function directRequirements(name: string, known: ReadonlySet<string>): string[] {
  const parts = splitName(name);
  if (!parts) return [];
  const out: string[] = [];
  const edit = `edit-${parts.resource}`;
  const view = `view-${parts.resource}`;
  if (parts.action === "create" && known.has(edit)) out.push(edit);
  if (parts.action !== "view" && known.has(view)) out.push(view);
  return out;
}

/** Every name `names` need, transitively, that is not already in `names` or `held`. */
export function missingRequirements(
  names: readonly string[],
  held: ReadonlySet<string>,
  known: ReadonlySet<string>,
): Map<string, string[]> {
  const have = new Set([...names, ...held]);
  const missing = new Map<string, string[]>(); // required name → the requested names that need it
  const queue = [...names];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    for (const req of directRequirements(name, known)) {
      if (have.has(req)) continue;
      const by = missing.get(req) ?? [];
      if (!by.includes(name)) by.push(name);
      if (!missing.has(req)) queue.push(req);
      missing.set(req, by);
    }
  }
  return missing;
}

/** Held names that still need one of the revoked names (the screen would untick them too). */
export function orphanedByRevoke(
  revoked: readonly string[],
  heldAfter: ReadonlySet<string>,
  known: ReadonlySet<string>,
): Map<string, string[]> {
  const gone = new Set(revoked);
  const out = new Map<string, string[]>();
  for (const name of heldAfter) {
    const needs = directRequirements(name, known).filter((r) => gone.has(r));
    if (needs.length > 0) out.set(name, needs);
  }
  return out;
}

/** Computed by the server, never stored: HasAuthorization::addCategoryViewPermissions. */
const CATEGORY_VIEWS: ReadonlyArray<readonly [readonly string[], string]> = [
  [["create-processes", "edit-processes"], "view-process-categories"],
  [["create-scripts", "edit-scripts"], "view-script-categories"],
  [["create-screens", "edit-screens"], "view-screen-categories"],
];

/** The category views the server adds for `names`, with the name that implies each. */
export function impliedCategoryViews(names: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [triggers, view] of CATEGORY_VIEWS) {
    const by = triggers.find((t) => names.has(t));
    if (by !== undefined && !names.has(view)) out.set(view, by);
  }
  return out;
}
