// A bare backup name (no '/') as `workspace-restore` and `-i` look it up in <shared>/backups/:
// the name itself, else the name with the endings pmadmin and ProcessMaker write (`.tar`,
// `.tar.gz`, `.tgz`), each as one file or as split parts (`.00`, `.01`, …). Two different
// candidates are refused rather than guessed between: restoring the wrong archive is costly.
import { stat } from "node:fs/promises";
import path from "node:path";
import { usage } from "../../errors.js";
import { listParts } from "../parts.js";

const ENDINGS = [".tar", ".tar.gz", ".tgz"] as const;

export interface FoundArchive {
  file: string;
  /** The archive is split parts `<file>.00`, … (found so, or asked for with -m). */
  multiple: boolean;
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function present(file: string, multiple: boolean): Promise<FoundArchive | undefined> {
  if (!multiple && (await isFile(file))) return { file, multiple: false };
  if ((await listParts(file)).length > 0) return { file, multiple: true };
  return undefined;
}

/**
 * Finds the archive a bare name means in `dir`. Without a match it returns `<name>.tar` (or the
 * name itself when it has an ending), which the caller reports as not found.
 */
export async function findBareArchive(
  dir: string,
  name: string,
  multiple: boolean,
): Promise<FoundArchive> {
  const exact = path.join(dir, name);
  const hasEnding = ENDINGS.some((e) => name.toLowerCase().endsWith(e));
  // Without -m a single file wins over parts of the same name (as before); with -m only parts.
  const asGiven = await present(exact, multiple);
  if (asGiven !== undefined && (!asGiven.multiple || multiple || hasEnding)) return asGiven;
  if (hasEnding) return asGiven ?? { file: exact, multiple };
  const found: FoundArchive[] = [];
  for (const ending of ENDINGS) {
    const hit = await present(`${exact}${ending}`, multiple);
    if (hit !== undefined) found.push(hit);
  }
  // Single files before parts: `x.tar` beside `x.tar.gz.00…` is still one archive to choose.
  const singles = found.filter((f) => !f.multiple);
  const candidates = singles.length > 0 ? singles : found;
  if (candidates.length > 1) {
    throw usage(
      "RESTORE.AMBIGUOUS_NAME",
      `'${name}' matches several backups in ${dir}: ${candidates
        .map((c) => path.basename(c.file) + (c.multiple ? ".00…" : ""))
        .join(", ")}.`,
      { hint: "Name the backup with its ending, e.g. workflow.tar.gz." },
    );
  }
  return candidates[0] ?? asGiven ?? { file: `${exact}.tar`, multiple };
}
