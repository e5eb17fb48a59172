// Preflight decisions, made from a scanned archive and the target's state before any write.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { text } from "node:stream/consumers";
import { afterAll, describe, expect, it } from "vitest";
import { MANIFEST_NAME, type Manifest } from "../../src/archive/manifest.js";
import { ManifestEntryLog } from "../../src/archive/manifest-log.js";
import { encodeMeta, type WorkspaceMeta } from "../../src/archive/meta.js";
import { isPmError } from "../../src/errors.js";
import type { RawEntry } from "../../src/restore/layout.js";
import {
  plannedFiles,
  planRestore,
  type RestoreOptions,
  type TargetState,
} from "../../src/restore/plan.js";
import type { ArchiveScan } from "../../src/restore/scan.js";

/** A scan held in memory (pass 1 spools it to a file; the plan reads either the same way). */
type MemScan = ArchiveScan & { entries: RawEntry[] };

async function files(
  scan: ArchiveScan,
  root: string,
): Promise<Array<{ rel: string; path: string }>> {
  const out: Array<{ rel: string; path: string }> = [];
  for await (const f of plannedFiles(scan, root)) out.push({ rel: f.rel, path: f.entry.path });
  return out;
}

const sha = (s: string): string => createHash("sha256").update(s).digest("hex");
const e = (p: string, type = "File", size = 10): RawEntry => ({
  path: p,
  type,
  size,
  mode: 0o644,
  mtime: undefined,
  linkpath: undefined,
  sha256: sha(p),
});

function metaText(ws: string, o: { system?: string; dbs?: string[] } = {}): string {
  const dbs = o.dbs ?? [`wf_${ws}`];
  return encodeMeta({
    SYSTEM: o.system ?? "Debian GNU/Linux 12 (bookworm) (Linux)",
    WORKSPACE_NAME: ws,
    DB_NAME: dbs[0],
    DB_USER: "wf_user",
    DB_PASS: "p,w{d}",
    databases: dbs.map((name) => ({
      adapter: "mysql",
      name,
      host: "h",
      user: "wf_user",
      pass: "p,w{d}",
    })),
    directories: [`${ws}.files`],
    version: 1,
    backupEngineVersion: 2,
  } as unknown as WorkspaceMeta);
}

function archive(
  workspaces: Array<{
    name: string;
    system?: string;
    dbs?: string[];
    noDbPhp?: boolean;
    noDump?: boolean;
  }>,
): MemScan {
  const entries: RawEntry[] = [];
  const metas = new Map<string, string>();
  for (const w of workspaces) {
    const dbs = w.dbs ?? [`wf_${w.name}`];
    const text = metaText(w.name, { ...(w.system === undefined ? {} : { system: w.system }), dbs });
    metas.set(`${w.name}.meta`, text);
    entries.push({ ...e(`${w.name}.meta`), sha256: sha(text) });
    if (!w.noDump) for (const d of dbs) entries.push(e(`${d}.sql`, "File", 5000));
    entries.push(e(`${w.name}.files/`, "Directory", 0));
    if (!w.noDbPhp) entries.push(e(`${w.name}.files/db.php`));
    entries.push(e(`${w.name}.files/files/doc.pdf`, "File", 1000));
  }
  return { entries, metas, manifest: undefined, totalBytes: 0 };
}

const opts = (o: Partial<RestoreOptions> = {}): RestoreOptions => ({
  sourceWorkspace: undefined,
  newName: undefined,
  overwrite: false,
  allowCrossPlatform: false,
  ...o,
});
const state = (o: Partial<TargetState> = {}): TargetState => ({
  platform: "linux",
  lowerCaseTableNames: 0,
  siteDirs: [],
  databases: [],
  freeBytes: undefined,
  ...o,
});

async function refusal(
  fn: () => Promise<unknown>,
): Promise<{ code: string; exit: number } | undefined> {
  try {
    await fn();
  } catch (error) {
    if (isPmError(error)) return { code: error.code, exit: error.exitCode };
    throw error;
  }
  return undefined;
}

describe("planRestore", () => {
  it("under a new name: wf_<new>, renaming, only the workspace's files, their bytes", async () => {
    const p = await planRestore(
      archive([{ name: "workflow" }]),
      opts({ newName: "copy1" }),
      state({ siteDirs: ["workflow"], databases: ["wf_workflow"] }),
    );
    expect(p.target).toBe("copy1");
    expect(p.renaming).toBe(true);
    expect(p.replacing).toBe(false);
    expect(p.databases).toEqual([
      { source: "wf_workflow", target: "wf_copy1", sqlPath: "wf_workflow.sql", sqlBytes: 5000 },
    ]);
    expect(
      (await files(archive([{ name: "workflow" }]), p.layout.filesRoot)).map((f) => f.rel),
    ).toEqual(["", "db.php", "files/doc.pdf"]);
    expect(p.fileCount).toBe(3);
    expect(p.fileBytes).toBe(1010);
    expect(p.platform).toBe("linux");
    expect(p.manifest.present).toBe(false);
  });

  it("the legacy three-database layout keeps the wf_/rp_/rb_ prefixes under a new name", async () => {
    const p = await planRestore(
      archive([{ name: "old", dbs: ["wf_old", "rp_old", "rb_old"] }]),
      opts({ newName: "n" }),
      state(),
    );
    expect(p.databases.map((d) => d.target)).toEqual(["wf_n", "rp_n", "rb_n"]);
  });

  it("an existing workspace: refused without -o (exit 3), replaced with it", async () => {
    const s = state({ siteDirs: ["workflow"], databases: ["wf_workflow"] });
    expect(await refusal(() => planRestore(archive([{ name: "workflow" }]), opts(), s))).toEqual({
      code: "RESTORE.WORKSPACE_EXISTS",
      exit: 3,
    });
    const p = await planRestore(archive([{ name: "workflow" }]), opts({ overwrite: true }), s);
    expect(p.replacing).toBe(true);
    expect(p.databases[0]?.target).toBe("wf_workflow");
  });

  it("a workspace or database differing only in letter case is refused, even with -o", async () => {
    expect(
      await refusal(() =>
        planRestore(
          archive([{ name: "w" }]),
          opts({ newName: "Copy", overwrite: true }),
          state({ siteDirs: ["copy"] }),
        ),
      ),
    ).toEqual({ code: "RESTORE.CASE_CONFLICT", exit: 3 });
    expect(
      await refusal(() =>
        planRestore(
          archive([{ name: "w" }]),
          opts({ newName: "Copy", overwrite: true }),
          state({ databases: ["WF_COPY"] }),
        ),
      ),
    ).toEqual({ code: "RESTORE.DATABASE_EXISTS", exit: 3 });
    expect(
      await refusal(() =>
        planRestore(
          archive([{ name: "w" }]),
          opts({ newName: "copy" }),
          state({ databases: ["wf_copy"] }),
        ),
      ),
    ).toEqual({ code: "RESTORE.DATABASE_EXISTS", exit: 3 });
  });

  it("bad names exit 2, whether given or taken from the archive", async () => {
    expect(
      await refusal(() =>
        planRestore(archive([{ name: "w" }]), opts({ newName: "bad-name" }), state()),
      ),
    ).toEqual({ code: "WORKSPACE.BAD_NAME", exit: 2 });
    expect(
      await refusal(() =>
        planRestore(archive([{ name: "w" }]), opts({ newName: "a".repeat(30) }), state()),
      ),
    ).toEqual({ code: "WORKSPACE.BAD_NAME", exit: 2 });
    expect(await refusal(() => planRestore(archive([{ name: "wé" }]), opts(), state()))).toEqual({
      code: "WORKSPACE.BAD_NAME",
      exit: 2,
    });
  });

  it("same-platform rule from the meta's SYSTEM; --allow-cross-platform turns it into a warning", async () => {
    const win = archive([{ name: "w", system: "Windows Server 2019 (WINNT)" }]);
    expect(await refusal(() => planRestore(win, opts({ newName: "x" }), state()))).toEqual({
      code: "RESTORE.CROSS_PLATFORM",
      exit: 3,
    });
    const p = await planRestore(win, opts({ newName: "x", allowCrossPlatform: true }), state());
    expect(p.warnings.join("\n")).toMatch(/--allow-cross-platform/);
    const unknown = await planRestore(
      archive([{ name: "w", system: "Something" }]),
      opts({ newName: "x" }),
      state(),
    );
    expect(unknown.warnings.join("\n")).toMatch(/does not say which OS/);
    expect(
      (await planRestore(win, opts({ newName: "x" }), state({ platform: "win32" }))).warnings,
    ).toEqual([]);
  });

  it("a server folding table names is refused", async () => {
    expect(
      await refusal(() =>
        planRestore(
          archive([{ name: "w" }]),
          opts({ newName: "x" }),
          state({ lowerCaseTableNames: 1 }),
        ),
      ),
    ).toEqual({ code: "RESTORE.LOWER_CASE_TABLE_NAMES", exit: 3 });
  });

  it("several workspaces need -w; an unknown -w is a usage error", async () => {
    const two = archive([{ name: "a" }, { name: "b" }]);
    expect(await refusal(() => planRestore(two, opts({ newName: "x" }), state()))).toEqual({
      code: "RESTORE.WHICH_WORKSPACE",
      exit: 2,
    });
    expect(await refusal(() => planRestore(two, opts({ sourceWorkspace: "c" }), state()))).toEqual({
      code: "RESTORE.NOT_IN_ARCHIVE",
      exit: 2,
    });
    const p = await planRestore(two, opts({ sourceWorkspace: "b" }), state());
    expect(p.target).toBe("b");
    expect((await files(two, p.layout.filesRoot)).map((f) => f.path)).toEqual([
      "b.files/",
      "b.files/db.php",
      "b.files/files/doc.pdf",
    ]);
  });

  it("incomplete archives fail (exit 1): no meta, no dump, no db.php", async () => {
    expect(
      await refusal(() =>
        planRestore(
          { entries: [e("x")], metas: new Map(), manifest: undefined, totalBytes: 0 },
          opts(),
          state(),
        ),
      ),
    ).toEqual({ code: "RESTORE.NO_METADATA", exit: 1 });
    expect(
      await refusal(() => planRestore(archive([{ name: "w", noDump: true }]), opts(), state())),
    ).toEqual({ code: "RESTORE.DUMP_MISSING", exit: 1 });
    expect(
      await refusal(() => planRestore(archive([{ name: "w", noDbPhp: true }]), opts(), state())),
    ).toEqual({ code: "RESTORE.NO_DB_PHP", exit: 1 });
  });

  it("refuses when staging would not fit on the disk", async () => {
    expect(
      await refusal(() =>
        planRestore(archive([{ name: "w" }]), opts(), state({ freeBytes: 1024 })),
      ),
    ).toEqual({ code: "RESTORE.NO_SPACE", exit: 3 });
    expect(
      (await planRestore(archive([{ name: "w" }]), opts(), state({ freeBytes: 1e9 }))).target,
    ).toBe("w");
  });
});

describe("planRestore with a pmadmin manifest", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  /** The manifest written the way a backup writes it, then the scan altered by `mutate`. */
  async function withManifest(
    mutate: (scan: MemScan) => void,
    platform = "linux",
  ): Promise<MemScan> {
    const scan = archive([{ name: "w" }]);
    const head = {
      format: "pmadmin-backup",
      formatVersion: 1,
      pmadminVersion: "0.1.0",
      createdAt: "2026-11-25T12:00:00Z",
      platform,
      os: "x",
      server: { flavor: "MariaDB", version: "10.11", lowerCaseTableNames: 0 },
      workspaces: [
        {
          name: "w",
          metaEntry: "w.meta",
          filesPrefix: "w.files",
          files: { count: 0, directories: 0, symlinks: 0, bytes: 0 },
          databases: [{ name: "wf_w", sqlEntry: "wf_w.sql", tables: {} }],
        },
      ],
    } as unknown as Omit<Manifest, "entries">;
    const dir = await mkdtemp(path.join(tmpdir(), "pmadmin-plan-"));
    dirs.push(dir);
    const log = new ManifestEntryLog(path.join(dir, "manifest-entries.json"));
    for (const x of scan.entries)
      log.record({
        name: x.path.replace(/\/$/, ""),
        type: "file",
        size: x.size,
        sha256: x.sha256 ?? "",
        mode: 0o644,
      });
    mutate(scan);
    const { stream } = await log.manifest(head);
    scan.manifest = { path: MANIFEST_NAME, text: await text(stream) };
    return scan;
  }

  it("verifies every entry and takes the platform from the manifest", async () => {
    const p = await planRestore(
      await withManifest(() => undefined),
      opts({ newName: "x" }),
      state(),
    );
    expect(p.manifest).toMatchObject({ present: true, verified: 5, platform: "linux" });
    const win = await withManifest(() => undefined, "win32");
    expect(await refusal(() => planRestore(win, opts({ newName: "x" }), state()))).toEqual({
      code: "RESTORE.CROSS_PLATFORM",
      exit: 3,
    });
  });

  it("an altered, unlisted or missing entry is a checksum mismatch (exit 1)", async () => {
    const altered = await withManifest((s) => {
      s.entries[1] = { ...s.entries[1]!, sha256: sha("other") };
    });
    expect(await refusal(() => planRestore(altered, opts({ newName: "x" }), state()))).toEqual({
      code: "RESTORE.CHECKSUM_MISMATCH",
      exit: 1,
    });
    const unlisted = await withManifest((s) => s.entries.push(e("w.files/extra")));
    expect(await refusal(() => planRestore(unlisted, opts({ newName: "x" }), state()))).toEqual({
      code: "RESTORE.CHECKSUM_MISMATCH",
      exit: 1,
    });
    const missing = await withManifest((s) => void s.entries.pop());
    expect(await refusal(() => planRestore(missing, opts({ newName: "x" }), state()))).toEqual({
      code: "RESTORE.CHECKSUM_MISMATCH",
      exit: 1,
    });
  });
});
