// files.missing and files.orphaned: APP_DOCUMENT rows against the files on disk. The rows are read
// in primary-key pages (keyset pagination: each page is an index range, so the whole pass is
// linear and memory holds one page plus the map of files on disk).
import type { Queryable } from "../db/types.js";
import { docKey, expectedDocPath } from "./doc-paths.js";
import type { DiskDocs } from "./files-scan.js";
import { MAX_EXAMPLES, type Example, type Finding } from "./types.js";

export interface DocRow {
  APP_DOC_UID: string;
  DOC_VERSION: number | string;
  APP_UID: string;
  APP_DOC_STATUS: string;
  APP_DOC_FILENAME: string;
}

/** Pure matching: feed rows in any number of batches, then ask for the findings. */
export class DocMatcher {
  private readonly unreferenced: Map<string, string[]>;
  private missingCount = 0;
  private readonly missingExamples: Example[] = [];

  constructor(disk: DiskDocs) {
    this.unreferenced = new Map(disk.byKey);
  }

  add(rows: readonly DocRow[]): void {
    for (const row of rows) {
      const ref = {
        appUid: row.APP_UID,
        appDocUid: row.APP_DOC_UID,
        version: Number(row.DOC_VERSION),
      };
      const key = docKey(ref);
      // Any row, deleted or not, accounts for its files: ProcessMaker keeps files of deleted documents.
      const present = this.unreferenced.delete(key);
      if (present || row.APP_DOC_STATUS !== "ACTIVE") continue;
      this.missingCount += 1;
      if (this.missingExamples.length < MAX_EXAMPLES) {
        this.missingExamples.push({
          APP_DOC_UID: ref.appDocUid,
          DOC_VERSION: ref.version,
          APP_UID: ref.appUid,
          EXPECTED: expectedDocPath(ref, row.APP_DOC_FILENAME),
        });
      }
    }
  }

  missing(): Finding {
    return { count: this.missingCount, examples: this.missingExamples };
  }

  orphaned(): Finding {
    const paths = [...this.unreferenced.values()].flat().sort();
    return {
      count: paths.length,
      examples: paths.slice(0, MAX_EXAMPLES).map((p) => ({ FILE: p })),
    };
  }
}

const PAGE = 5000;

export async function matchDocuments(
  db: Queryable,
  matcher: DocMatcher,
  signal?: AbortSignal,
): Promise<void> {
  const cols = "APP_DOC_UID, DOC_VERSION, APP_UID, APP_DOC_STATUS, APP_DOC_FILENAME";
  let rows = await db.query<DocRow & Record<string, unknown>>(
    `SELECT ${cols} FROM APP_DOCUMENT ORDER BY APP_DOC_UID, DOC_VERSION LIMIT ${PAGE}`,
  );
  while (rows.length > 0) {
    matcher.add(rows);
    if (rows.length < PAGE || signal?.aborted) return;
    const last = rows[rows.length - 1] as DocRow;
    rows = await db.query<DocRow & Record<string, unknown>>(
      `SELECT ${cols} FROM APP_DOCUMENT
        WHERE APP_DOC_UID > ? OR (APP_DOC_UID = ? AND DOC_VERSION > ?)
        ORDER BY APP_DOC_UID, DOC_VERSION LIMIT ${PAGE}`,
      [last.APP_DOC_UID, last.APP_DOC_UID, Number(last.DOC_VERSION)],
    );
  }
}
