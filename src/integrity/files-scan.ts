// The document files present under sites/<ws>/files, keyed by document. Reads directory entries
// only (no per-file stat except for symbolic links) and never descends through a link.
import { opendir, stat } from "node:fs/promises";
import path from "node:path";
import { docKey, parseDocPath } from "./doc-paths.js";

export interface DiskDocs {
  /** docKey → paths relative to the workspace ("files/…"), sorted. */
  byKey: Map<string, string[]>;
  /** Files under files/ that are not named like a case document (not judged). */
  unrecognised: number;
}

async function* files(root: string, rel: string): AsyncGenerator<string> {
  let dir;
  try {
    dir = await opendir(rel === "" ? root : path.join(root, rel));
  } catch (error) {
    // A missing files/ directory simply holds no documents; files.missing will say so per row.
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && rel === "") return;
    throw error;
  }
  for await (const d of dir) {
    const childRel = rel === "" ? d.name : `${rel}/${d.name}`;
    if (d.isDirectory()) {
      yield* files(root, childRel);
    } else if (d.isFile()) {
      yield childRel;
    } else if (d.isSymbolicLink()) {
      // A link to a file serves the document; a dangling link or a link to a directory does not.
      const target = await stat(path.join(root, childRel)).catch(() => null);
      if (target?.isFile()) yield childRel;
    }
  }
}

export async function scanDocumentFiles(siteDir: string): Promise<DiskDocs> {
  const root = path.join(siteDir, "files");
  const byKey = new Map<string, string[]>();
  let unrecognised = 0;
  for await (const rel of files(root, "")) {
    const ref = parseDocPath(rel);
    if (ref === null) {
      unrecognised += 1;
      continue;
    }
    const key = docKey(ref);
    const list = byKey.get(key);
    if (list) list.push(`files/${rel}`);
    else byKey.set(key, [`files/${rel}`]);
  }
  return { byKey, unrecognised };
}
