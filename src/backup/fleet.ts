// `workspace-backup --all DEST`: every workspace of the installation, one archive each, named
// `<ws>-<UTC yyyymmdd-hhmmss>.tar.gz` in DEST (a directory or an s3://BUCKET/PREFIX/), N at a time,
// carrying on past a workspace that fails. The pieces here are pure or generic; the command runs
// the usual plan → prepare → apply for each workspace.
import path from "node:path";
import { isS3Url } from "../archive/s3/location.js";

/** UTC yyyymmdd-hhmmss: one stamp for the whole run, so a fleet's archives sort together. */
export function fleetStamp(now: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return (
    `${p(now.getUTCFullYear(), 4)}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-` +
    `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`
  );
}

/** Where one workspace's archive goes in DEST (a directory, absolute, or an s3:// prefix). */
export function fleetTarget(dest: string, ws: string, stamp: string): string {
  const name = `${ws}-${stamp}.tar.gz`;
  if (isS3Url(dest)) return `${dest.endsWith("/") ? dest : `${dest}/`}${name}`;
  return path.join(dest, name);
}

/**
 * Runs `fn` over `items` with at most `jobs` at once, in order of start; stops starting new ones
 * once `signal` fires (those never started get `skipped`).
 */
export async function runPool<T, R>(
  items: readonly T[],
  jobs: number,
  signal: AbortSignal,
  fn: (item: T) => Promise<R>,
  skipped: (item: T) => R,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const item = items[i] as T;
      out[i] = signal.aborted ? skipped(item) : await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return out;
}
