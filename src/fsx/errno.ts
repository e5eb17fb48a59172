// Write failures a sysadmin can act on, in words: "the filesystem is full" says what to do,
// "ENOSPC" alone does not. The raw message stays in parentheses for searching.

const WORDS: Readonly<Record<string, string>> = {
  ENOSPC: "the filesystem is full",
  EDQUOT: "the disk quota is exhausted",
  EFBIG: "the file is larger than the filesystem or a file-size limit allows",
  EROFS: "the filesystem is read-only",
  EIO: "an I/O error occurred",
};

/** The errno code of a Node.js system error, if it is one of the write failures above. */
export function writeFailureCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code in WORDS ? code : undefined;
}

/** "the filesystem is full (ENOSPC: no space left on device, write)", or the plain message. */
export function describeWriteFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = writeFailureCode(error);
  return code ? `${WORDS[code]} (${message})` : message;
}
