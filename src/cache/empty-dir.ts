// Emptying a cache directory without ever leaving it. ProcessMaker's G::rm_dir recurses into
// symlinked directories and deletes the target's contents (processmaker-3.md §8.11); here every
// entry is lstat'ed, a link is unlinked as itself, and before descending into a subdirectory its
// real path must still be the path we built (a directory swapped for a link meanwhile is refused).
// The directory itself is never removed, so its mode and owner stay as the admin set them.
import { lstat, readdir, realpath, rmdir, unlink } from "node:fs/promises";
import path from "node:path";
import { throwIfInterrupted } from "../errors.js";

export interface RemovalError {
  path: string;
  message: string;
}

export interface EmptyResult {
  /** emptied (or would be, in a dry run); absent: nothing there; skipped: refused (see reason). */
  status: "emptied" | "absent" | "skipped";
  reason?: string;
  files: number;
  bytes: number;
  dirs: number;
  errors: RemovalError[];
}

export interface EmptyOptions {
  dryRun: boolean;
  signal: AbortSignal;
  /** Called for every file or link removed (or that would be), with its absolute path. */
  onFile?: (absPath: string, bytes: number) => void;
}

function fresh(status: EmptyResult["status"], reason?: string): EmptyResult {
  return {
    status,
    ...(reason === undefined ? {} : { reason }),
    files: 0,
    bytes: 0,
    dirs: 0,
    errors: [],
  };
}

function message(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message}` : String(error);
}

async function removeFile(abs: string, o: EmptyOptions, r: EmptyResult): Promise<void> {
  const st = await lstat(abs);
  const bytes = st.isFile() ? st.size : 0;
  if (!o.dryRun) await unlink(abs); // on a link this removes the link, never its target
  r.files += 1;
  r.bytes += bytes;
  o.onFile?.(abs, bytes);
}

async function emptyInside(dir: string, o: EmptyOptions, r: EmptyResult): Promise<void> {
  // Names first, then work: removing entries while a directory stream is open is unspecified.
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    throwIfInterrupted(o.signal);
    const abs = path.join(dir, name);
    try {
      const st = await lstat(abs);
      if (!st.isDirectory()) {
        await removeFile(abs, o, r);
        continue;
      }
      if ((await realpath(abs)) !== abs) {
        r.errors.push({ path: abs, message: "changed into a link while flushing; left alone" });
        continue;
      }
      await emptyInside(abs, o, r);
      if (!o.dryRun) await rmdir(abs);
      r.dirs += 1;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // someone else removed it
      if (o.signal.aborted) throw error;
      r.errors.push({ path: abs, message: message(error) });
    }
  }
}

export async function emptyDirectory(root: string, o: EmptyOptions): Promise<EmptyResult> {
  let st;
  try {
    st = await lstat(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return fresh("absent");
    throw error;
  }
  // A cache directory that is itself a link points somewhere an admin chose; following it is
  // exactly the hazard this command exists to avoid, so say so and let them flush the target.
  if (st.isSymbolicLink())
    return fresh("skipped", "is a symbolic link; not followed (flush its target yourself)");
  if (!st.isDirectory()) return fresh("skipped", "is not a directory");
  const r = fresh("emptied");
  // Build child paths from the real path so the per-directory realpath comparison is exact even
  // when the shared directory is reached through a link higher up.
  await emptyInside(await realpath(root), o, r);
  return r;
}

export async function removeOne(file: string, o: EmptyOptions): Promise<EmptyResult> {
  try {
    const st = await lstat(file);
    if (st.isDirectory()) return fresh("skipped", "is a directory, not a file");
    const r = fresh("emptied");
    await removeFile(file, o, r);
    return r;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return fresh("absent");
    const r = fresh("emptied");
    r.errors.push({ path: file, message: message(error) });
    return r;
  }
}
