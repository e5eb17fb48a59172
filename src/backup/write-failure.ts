// Which directory a write failure is about, in words a sysadmin can act on: the backup's own
// directory (archive, staged dump) or the temporary directory (the client option file).
import { tmpdir } from "node:os";
import path from "node:path";
import { failure, isPmError, type PmError } from "../errors.js";
import { describeWriteFailure, writeFailureCode } from "../fsx/errno.js";

/**
 * A full disk (or quota, read-only fs, I/O error) while writing the archive or its staging files
 * becomes BACKUP.WRITE_FAILED naming the cause in words; other errors pass through unchanged.
 */
export function archiveWriteFailure(
  target: string,
  sinkError: Error | undefined,
  error: unknown,
): unknown {
  if (isPmError(error)) return error;
  // The destination's own typed error (an object store's: bucket, key, endpoint, what to fix).
  if (isPmError(sinkError)) return sinkError;
  const cause = sinkError ?? (writeFailureCode(error) ? error : undefined);
  if (!cause) return error;
  return failure(
    "BACKUP.WRITE_FAILED",
    `Cannot write the backup ${target}: ${describeWriteFailure(cause)}. Nothing was written under that name.`,
    {
      hint: `Free space in ${path.dirname(target)} or write the backup elsewhere; an older backup of that name is untouched.`,
      cause,
    },
  );
}

/**
 * Anything that fails while writing the database client's option file is about the temporary
 * directory it lives in, not the backup's: "the filesystem is full" must send the admin to
 * $TMPDIR. (A typed error from the option-file module already says so and passes through.)
 */
export function tempWriteFailure(target: string, error: unknown): PmError {
  if (isPmError(error)) return error;
  const tmp = tmpdir();
  return failure(
    "BACKUP.TEMP_WRITE",
    `Cannot write the database client's option file in the temporary directory ${tmp}: ${describeWriteFailure(error)}. Nothing was written under ${target}.`,
    {
      hint: `Free space in ${tmp} or point TMPDIR at a directory with room; the backup directory was not the problem, and an older backup of that name is untouched.`,
      cause: error,
    },
  );
}
