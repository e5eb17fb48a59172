// Where ProcessMaker keeps a case document on disk, and the reverse: which document a path under
// sites/<ws>/files belongs to. Two layouts exist (processmaker-3.md §1.3):
//   ver2:  files/<APP_UID[0:3]>/<[3:6]>/<[6:9]>/<[9:]>/<APP_DOC_UID>_<DOC_VERSION>.<ext>
//   older: files/<APP_UID>/<APP_DOC_UID>_<DOC_VERSION>.<ext>
// Output documents sit one level deeper in `outdocs/` and may exist as .pdf and .doc at once, so a
// document is identified by (APP_UID, APP_DOC_UID, DOC_VERSION), never by its extension.

const UID = /^[A-Za-z0-9]{32}$/;
const DOC_FILE = /^([A-Za-z0-9]{32})_(\d+)(?:\.[^/]*)?$/;

export interface DocRef {
  appUid: string;
  appDocUid: string;
  version: number;
}

/** The key both sides of the comparison agree on. */
export function docKey(r: DocRef): string {
  return `${r.appUid}/${r.appDocUid}_${r.version}`;
}

/** Which document a path relative to files/ (with '/' separators) is, or null when it is none. */
export function parseDocPath(rel: string): DocRef | null {
  const parts = rel.split("/");
  const name = parts.pop();
  if (name === undefined) return null;
  if (parts[parts.length - 1] === "outdocs") parts.pop();
  let appUid: string;
  if (
    parts.length === 4 &&
    parts[0]?.length === 3 &&
    parts[1]?.length === 3 &&
    parts[2]?.length === 3
  ) {
    appUid = parts.join("");
  } else if (parts.length === 1) {
    appUid = parts[0] ?? "";
  } else {
    return null;
  }
  if (!UID.test(appUid)) return null;
  const m = DOC_FILE.exec(name);
  if (!m) return null;
  return { appUid, appDocUid: m[1] ?? "", version: Number(m[2]) };
}

/** The ver2 path (relative to the workspace) where ProcessMaker would look for a document. */
export function expectedDocPath(r: DocRef, filename: string): string {
  const a = r.appUid;
  const dot = filename.lastIndexOf(".");
  const ext = dot >= 0 ? filename.slice(dot) : "";
  return `files/${a.slice(0, 3)}/${a.slice(3, 6)}/${a.slice(6, 9)}/${a.slice(9)}/${r.appDocUid}_${r.version}${ext}`;
}
