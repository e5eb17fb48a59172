// Which filesystem a path is on, named by its mount point: "the filesystem mounted at /srv is
// full" tells a sysadmin what to free, where a path deep inside it does not.
import { statSync } from "node:fs";
import path from "node:path";

/** The mount point holding `p` (or its nearest existing ancestor): the topmost ancestor on the same device. */
export function mountPointOf(p: string): string {
  let dir = path.resolve(p);
  let dev: number | undefined;
  for (;;) {
    try {
      dev = statSync(dir).dev;
      break;
    } catch {
      const up = path.dirname(dir);
      if (up === dir) return dir;
      dir = up;
    }
  }
  for (;;) {
    const up = path.dirname(dir);
    if (up === dir) return dir;
    try {
      if (statSync(up).dev !== dev) return dir;
    } catch {
      return dir;
    }
    dir = up;
  }
}
