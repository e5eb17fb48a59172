// `backups list`: the backups lying in a directory or an s3:// prefix, newest first. What each is
// comes from the backup itself where it can (the leading tar headers of a pmadmin archive: its
// workspaces and when it was written) or from the metadata pmadmin's upload set on an object; the
// file's or object's modification time only when nothing better is known.
import { partOf } from "../archive/parts.js";
import type { BackupPlace } from "./backup-place.js";
import { sniffPmadminArchive } from "./retention.js";

export interface ListedBackup {
  /** The file or object name inside the location ("<file>" for split parts). */
  name: string;
  /** Its path or URL ("<file>.*" for split parts). */
  location: string;
  /** Workspaces it holds, when known (a pmadmin archive or pmadmin upload); else null. */
  workspaces: string[] | null;
  created: string;
  /** Where `created` comes from. */
  createdFrom: "archive" | "metadata" | "mtime";
  bytes: number;
  parts: number;
  compressed: boolean;
  encrypted: boolean;
  /** Written by pmadmin (its ustar headers and leading metas, or its upload metadata). */
  pmadmin: boolean;
}

const BACKUP_NAME = /\.(tar|tar\.gz|tgz)(\.age)?$/i;

interface Group {
  name: string;
  members: Array<{ name: string; bytes: number; mtimeMs: number }>;
}

/** Backup-like entries, split parts grouped under their common name. */
function groups(entries: Awaited<ReturnType<BackupPlace["entries"]>>): Group[] {
  const out = new Map<string, Group>();
  for (const e of entries) {
    if (e.name.startsWith(".")) continue; // temporary names of writes in progress
    const base = partOf(e.name);
    const key = base ?? e.name;
    if (!BACKUP_NAME.test(key)) continue;
    const g = out.get(key) ?? { name: key, members: [] };
    g.members.push(e);
    out.set(key, g);
  }
  for (const g of out.values()) g.members.sort((a, b) => a.name.localeCompare(b.name));
  return [...out.values()];
}

async function describe(place: BackupPlace, g: Group): Promise<ListedBackup> {
  const first = g.members[0] as Group["members"][number];
  const split = partOf(first.name) !== undefined;
  const meta = await place.metadata(first.name);
  const encrypted = /\.age$/i.test(g.name);
  const lead = encrypted ? undefined : await sniffPmadminArchive(place, first.name);
  const metaWs = meta["pmadmin-workspaces"];
  const metaCreated = meta["pmadmin-created"];
  let created = new Date(Math.max(...g.members.map((m) => m.mtimeMs)));
  let createdFrom: ListedBackup["createdFrom"] = "mtime";
  if (lead && lead.created.getTime() > 0) {
    created = lead.created;
    createdFrom = "archive";
  } else if (metaCreated && !Number.isNaN(Date.parse(metaCreated))) {
    created = new Date(metaCreated);
    createdFrom = "metadata";
  }
  return {
    name: g.name,
    location: split ? `${place.label(g.name)}.*` : place.label(g.name),
    workspaces: lead?.workspaces ?? (metaWs ? metaWs.split(",") : null),
    created: created.toISOString(),
    createdFrom,
    bytes: g.members.reduce((a, m) => a + m.bytes, 0),
    parts: split ? g.members.length : 1,
    compressed:
      split || /\.(tar\.gz|tgz)(\.age)?$/i.test(g.name) || meta["pmadmin-compression"] === "gzip",
    encrypted,
    pmadmin: lead !== undefined || meta["pmadmin-version"] !== undefined,
  };
}

export async function listBackups(place: BackupPlace): Promise<ListedBackup[]> {
  const out: ListedBackup[] = [];
  for (const g of groups(await place.entries())) out.push(await describe(place, g));
  return out.sort((a, b) => b.created.localeCompare(a.created) || a.name.localeCompare(b.name));
}

/** The newest backup of each workspace (for monitoring: "how old is the last backup of X"). */
export function newestByWorkspace(
  backups: readonly ListedBackup[],
): Record<string, { created: string; location: string }> {
  const out: Record<string, { created: string; location: string }> = {};
  for (const b of backups) {
    for (const ws of b.workspaces ?? []) out[ws] ??= { created: b.created, location: b.location };
  }
  return out;
}
