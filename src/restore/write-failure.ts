// A restore that cannot write (the staging directory's or the temp dir's filesystem is full, a
// quota, an I/O error) fails with a typed error naming the filesystem, not an INTERNAL stack.
import { failure, type PmError } from "../errors.js";
import { describeWriteFailure, writeFailureCode } from "../fsx/errno.js";
import { mountPointOf } from "../fsx/mount-point.js";

/**
 * RESTORE.WRITE_FAILED for a write failure (ENOSPC, EDQUOT, EIO…) while writing `what` under
 * `dir`; undefined for any other error. The failing path (Node puts it on the error) wins over
 * `dir` when naming the filesystem.
 */
export function restoreWriteFailure(
  error: unknown,
  what: string,
  dir: string,
): PmError | undefined {
  if (!writeFailureCode(error)) return undefined;
  const at = (error as { path?: unknown }).path;
  const mount = mountPointOf(typeof at === "string" ? at : dir);
  return failure(
    "RESTORE.WRITE_FAILED",
    `Could not write ${what} in ${dir}: ${describeWriteFailure(error)} on the filesystem mounted at ${mount}; the live workspace was not touched.`,
    {
      hint: `Free space (df -h ${mount}; df -i ${mount} for inodes) and run the restore again.`,
      cause: error,
    },
  );
}
