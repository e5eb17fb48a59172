// Whether a path names something (links followed), for lookups that only branch on it.
import { stat } from "node:fs/promises";

export async function pathExists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
