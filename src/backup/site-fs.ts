// The few file-system calls the site-files walk makes, as a narrow port: tests swap one of them to
// make a file vanish or change at an exact moment (deterministically, instead of racing a
// churner), or to simulate EACCES when running as root. Synchronous on purpose (see site-files.ts).
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  type Stats,
} from "node:fs";

export interface SiteFs {
  readdir(abs: string): string[];
  lstat(abs: string): Stats;
  readlink(abs: string): string;
  /** Opens for reading without following a link (a file swapped for a link fails with ELOOP). */
  open(abs: string): number;
  fstat(fd: number): Stats;
  close(fd: number): void;
}

export const realSiteFs: SiteFs = {
  readdir: (abs) => readdirSync(abs),
  lstat: (abs) => lstatSync(abs),
  readlink: (abs) => readlinkSync(abs),
  open: (abs) => openSync(abs, constants.O_RDONLY | constants.O_NOFOLLOW),
  fstat: (fd) => fstatSync(fd),
  close: (fd) => closeSync(fd),
};

/**
 * Whether an error means "it is no longer there": a live installation creates and deletes cache
 * and session files all day, so an entry seen by readdir may be gone by lstat or open. ENOTDIR: a
 * directory replaced by a file; ELOOP: a file replaced by a link (O_NOFOLLOW); EINVAL: a link
 * replaced by something else before readlink.
 */
export function isVanished(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP" || code === "EINVAL";
}
