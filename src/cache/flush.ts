// flush-cache as plan (targets) then apply (empty each); a dry run walks the same code without
// removing anything, so what it lists is exactly what a real run would remove.
import type { CacheTarget } from "./targets.js";
import { emptyDirectory, removeOne, type EmptyOptions, type EmptyResult } from "./empty-dir.js";

export interface TargetResult extends EmptyResult {
  path: string;
  label: string;
  kind: CacheTarget["kind"];
  workspace: string | null;
}

export interface FlushResult {
  targets: TargetResult[];
  files: number;
  bytes: number;
  errors: number;
}

export async function flushCaches(
  targets: readonly CacheTarget[],
  o: EmptyOptions,
): Promise<FlushResult> {
  const out: TargetResult[] = [];
  for (const t of targets) {
    const r = t.kind === "empty" ? await emptyDirectory(t.path, o) : await removeOne(t.path, o);
    out.push({ ...r, path: t.path, label: t.label, kind: t.kind, workspace: t.workspace });
  }
  return {
    targets: out,
    files: out.reduce((n, t) => n + t.files, 0),
    bytes: out.reduce((n, t) => n + t.bytes, 0),
    errors: out.reduce((n, t) => n + t.errors.length, 0),
  };
}
