// Which checks a run performs: all default checks, or those named with --check (an exact id such
// as "rbac.role-mismatch", or an area such as "rbac"). Opt-in checks run only when named by id.
import { usage } from "../errors.js";
import { didYouMean } from "../ui/suggest.js";
import { CHECKS } from "./catalog.js";
import type { CheckDef } from "./types.js";

export function selectChecks(
  requested: readonly string[],
  all: readonly CheckDef[] = CHECKS,
): CheckDef[] {
  if (requested.length === 0) return all.filter((c) => c.optIn !== true);
  const wanted = new Set<string>();
  for (const raw of requested) {
    const name = raw.trim();
    const exact = all.find((c) => c.id === name);
    if (exact) {
      wanted.add(exact.id);
      continue;
    }
    const area = all.filter((c) => c.area === name && c.optIn !== true);
    if (area.length > 0) {
      for (const c of area) wanted.add(c.id);
      continue;
    }
    const names = [...new Set([...all.map((c) => c.area), ...all.map((c) => c.id)])];
    throw usage("INTEGRITY.UNKNOWN_CHECK", `Unknown check '${name}'.${didYouMean(name, names)}`, {
      hint: "Run `pmadmin check-integrity --list` for the check ids; an area name (storage, references, rbac, files, admin) selects all its checks.",
    });
  }
  // Keep catalog order so reports read the same whatever order --check options came in.
  return all.filter((c) => wanted.has(c.id));
}
