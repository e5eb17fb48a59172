// The backup plan as plain data, from the command line alone (no I/O): which workspaces, which
// file, what compression, whether and how to split. ProcessMaker's positional rules
// (processmaker-3.md §3.1): one → <ws>.tar; two → workspace and file; more → the last is the file.
import path from "node:path";
import { isS3Url, parseS3Url, s3Url, type S3Location } from "../archive/s3/location.js";
import { refused, usage } from "../errors.js";
import type { Platform } from "../runtime.js";

const SUPPORTED_ENDINGS = [".tar", ".tar.gz", ".tgz"] as const;
const DEFAULT_PART_MB = 1000;
const MIB = 1024 * 1024;

export interface BackupTarget {
  /** Absolute final path (split parts get ".00", ".01", … appended). */
  path: string;
  dir: string;
  /** The target is <shared>/backups (created when missing). */
  inSharedBackups: boolean;
  gzip: boolean;
  /** Split part size in bytes, when -s was given. */
  partBytes: number | undefined;
  /** The object, when the target is s3://BUCKET/KEY (`path` is then that URL, `dir` its prefix). */
  s3?: S3Location | undefined;
}

export interface BackupPlan {
  workspaces: string[];
  target: BackupTarget;
  skipUnreadable: boolean;
  keep: number | undefined;
}

export interface PlanInput {
  positionals: readonly string[];
  /** Raw -s/--filesize value, when given. */
  filesize: string | undefined;
  keep: string | undefined;
  skipUnreadable: boolean;
  sharedDir: string;
  cwd: string;
  platform: Platform;
}

/** ProcessMaker: a value that is 0 or not a positive integer falls back to 1000 MB. */
function partSizeMb(raw: string): number {
  if (!/^\d+$/.test(raw.trim())) {
    throw usage(
      "BACKUP.BAD_FILESIZE",
      `-s/--filesize takes a whole number of megabytes, not '${raw}'.`,
      {
        hint: `Give e.g. -s ${DEFAULT_PART_MB} for parts of at most ${DEFAULT_PART_MB} MiB.`,
      },
    );
  }
  const n = Number(raw);
  return n > 0 ? n : DEFAULT_PART_MB;
}

function compressionFor(file: string): "none" | "gzip" | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) return "gzip";
  if (lower.endsWith(".tar")) return "none";
  return undefined;
}

/** Checked before the installation is even looked for: the first thing a new user gets wrong. */
export function requireWorkspaceArgument(positionals: readonly string[]): void {
  if (positionals.length > 0) return;
  throw usage(
    "BACKUP.NO_WORKSPACE",
    "workspace-backup needs the WORKSPACE to back up (and optionally the BACKUP-FILE to write).",
    {
      hint: "e.g. 'pmadmin workspace-backup workflow'; run 'pmadmin help workspace-backup' for usage.",
    },
  );
}

export function planBackup(i: PlanInput): BackupPlan {
  const args = [...i.positionals];
  requireWorkspaceArgument(args);
  const workspaces = args.length === 1 ? [args[0] as string] : args.slice(0, -1);
  let file = args.length === 1 ? `${args[0] as string}.tar` : (args[args.length - 1] as string);
  const s3 = isS3Url(file) ? parseS3Url(file) : undefined;
  // s3://BUCKET/PREFIX/: the name pmadmin would choose locally.
  if (s3?.isPrefix)
    file = s3Url({ bucket: s3.bucket, key: `${s3.key}${workspaces.join("-")}.tar` });
  if (s3 && i.filesize !== undefined) {
    throw usage(
      "S3.SPLIT_UNSUPPORTED",
      "Split backups (-s/--filesize) are for local files only, not s3:// locations.",
      {
        hint: "Leave out -s: an S3 upload is already sent in parts, and one object can hold up to 5 TB.",
      },
    );
  }
  const compression = compressionFor(file);
  if (compression === undefined) {
    throw usage(
      "BACKUP.BAD_SUFFIX",
      `Unsupported backup file name '${file}': it must end in ${SUPPORTED_ENDINGS.join(", ")}.`,
      {
        hint: "Use .tar for an uncompressed archive or .tar.gz/.tgz for gzip (with several workspaces, the last argument is the file).",
      },
    );
  }
  let partBytes: number | undefined;
  if (i.filesize !== undefined) {
    const mb = partSizeMb(i.filesize);
    if (i.platform === "win32") {
      throw refused(
        "BACKUP.SPLIT_UNSUPPORTED",
        "Split backups (-s/--filesize) are not supported on Windows.",
        {
          hint: "Leave out -s to write a single archive file.",
        },
      );
    }
    partBytes = mb * MIB;
  }
  let keep: number | undefined;
  if (i.keep !== undefined) {
    if (!/^\d+$/.test(i.keep) || Number(i.keep) < 1) {
      throw usage(
        "USAGE.BAD_NUMBER",
        `--keep takes a whole number of at least 1, not '${i.keep}'.`,
      );
    }
    keep = Number(i.keep);
  }
  if (s3)
    return s3Plan(workspaces, parseS3Url(file), compression === "gzip", i.skipUnreadable, keep);
  const bare = !file.includes("/") && !file.includes("\\");
  const abs = bare ? path.join(i.sharedDir, "backups", file) : path.resolve(i.cwd, file);
  return {
    workspaces: [...new Set(workspaces)],
    target: {
      path: abs,
      dir: path.dirname(abs),
      inSharedBackups: bare,
      // ProcessMaker's split backups are always a gzip tar, whatever the name says.
      gzip: compression === "gzip" || partBytes !== undefined,
      partBytes,
    },
    skipUnreadable: i.skipUnreadable,
    keep,
  };
}

function s3Plan(
  workspaces: string[],
  loc: S3Location,
  gzip: boolean,
  skipUnreadable: boolean,
  keep: number | undefined,
): BackupPlan {
  const url = s3Url(loc);
  return {
    workspaces: [...new Set(workspaces)],
    target: {
      path: url,
      dir: url.slice(0, url.lastIndexOf("/") + 1),
      inSharedBackups: false,
      gzip,
      partBytes: undefined,
      s3: loc,
    },
    skipUnreadable,
    keep,
  };
}
