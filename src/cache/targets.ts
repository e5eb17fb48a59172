// What flush-cache clears (processmaker-3.md §1.2, §1.3, §5.2): the compiled cache (PATH_C) and
// Laravel's file cache once per installation, and each workspace's cache/, cachefiles/ and
// routes.php. ProcessMaker itself never clears framework/cache/data; we do, since the plugin
// registry it holds goes stale the same way.
import path from "node:path";
import type { Installation, Workspace } from "../install/installation.js";

export interface CacheTarget {
  /** empty: delete everything inside, keep the directory; remove: delete this one file or link. */
  kind: "empty" | "remove";
  path: string;
  /** Path relative to the shared directory, for reports ("sites/workflow/cache/"). */
  label: string;
  workspace: string | null;
}

function label(inst: Installation, p: string, dir: boolean): string {
  const rel = path.relative(inst.sharedDir, p);
  const shown = rel.startsWith("..") || path.isAbsolute(rel) ? p : rel;
  return dir ? `${shown}/` : shown;
}

export function cacheTargets(
  inst: Installation,
  workspaces: readonly Pick<Workspace, "name" | "siteDir">[],
): CacheTarget[] {
  const dir = (p: string, workspace: string | null): CacheTarget => ({
    kind: "empty",
    path: p,
    label: label(inst, p, true),
    workspace,
  });
  const out: CacheTarget[] = [
    dir(inst.compiledDir, null),
    dir(path.join(inst.sharedDir, "framework", "cache", "data"), null),
  ];
  for (const ws of workspaces) {
    out.push(dir(path.join(ws.siteDir, "cache"), ws.name));
    out.push(dir(path.join(ws.siteDir, "cachefiles"), ws.name));
    const routes = path.join(ws.siteDir, "routes.php");
    out.push({
      kind: "remove",
      path: routes,
      label: label(inst, routes, false),
      workspace: ws.name,
    });
  }
  return out;
}
