// The document files present under sites/<ws>/files, keyed by document. Reads directory entries
// only (no per-file stat except for symbolic links) and never descends through a link. The ver2
// layout gives every case its own four-level directory chain, so a workspace has about as many
// directories as cases: they are read several at a time to keep the thread pool busy.
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { docKey, parseDocPath } from "./doc-paths.js";

export interface DiskDocs {
  /** docKey → paths relative to the workspace ("files/…"). */
  byKey: Map<string, string[]>;
  /** Files under files/ that are not named like a case document (not judged). */
  unrecognised: number;
}

const CONCURRENCY = 16;

/** Relative paths of the files (and links to files) under root, in no particular order. */
async function listFiles(root: string, signal?: AbortSignal): Promise<string[]> {
  const found: string[] = [];
  const queue: string[] = [""];
  const readOne = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(rel === "" ? root : path.join(root, rel), { withFileTypes: true });
    } catch (error) {
      // A missing files/ directory simply holds no documents; files.missing says so per row.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const d of entries) {
      const childRel = rel === "" ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory()) queue.push(childRel);
      else if (d.isFile()) found.push(childRel);
      else if (d.isSymbolicLink()) {
        // A link to a file serves the document; a dangling link or a link to a directory does not.
        const target = await stat(path.join(root, childRel)).catch(() => null);
        if (target?.isFile()) found.push(childRel);
      }
    }
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      if (signal?.aborted) return;
      const next = queue.pop();
      if (next === undefined) return;
      await readOne(next);
    }
  };
  // Workers stop when the queue is momentarily empty while others may still add to it, so keep
  // starting rounds until a round ends with nothing queued.
  while (queue.length > 0 && !signal?.aborted) {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  }
  return found;
}

export async function scanDocumentFiles(siteDir: string, signal?: AbortSignal): Promise<DiskDocs> {
  const byKey = new Map<string, string[]>();
  let unrecognised = 0;
  for (const rel of await listFiles(path.join(siteDir, "files"), signal)) {
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
