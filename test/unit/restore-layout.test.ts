// Where a workspace lives inside an archive (single-file and ProcessMaker's split absolute-path
// layout) and the entry checks made before anything is written.
import { describe, expect, it } from "vitest";
import { isPmError } from "../../src/errors.js";
import {
  findWorkspaces,
  normalizeEntryPath,
  planFiles,
  relativeToRoot,
  unsafeArchivePath,
  type RawEntry,
} from "../../src/restore/layout.js";

const e = (p: string, type = "File", extra: Partial<RawEntry> = {}): RawEntry => ({
  path: p,
  type,
  size: 1,
  mode: 0o644,
  mtime: undefined,
  linkpath: undefined,
  sha256: undefined,
  ...extra,
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isPmError(error) ? error.code : String(error);
  }
  return undefined;
}

describe("findWorkspaces", () => {
  it("single-file layout: <ws>.meta, <db>.sql and the meta's directories[] at the root", () => {
    const entries = [
      e("workflow.meta"),
      e("wf_workflow.sql"),
      e("workflow.files/", "Directory"),
      e("workflow.files/db.php"),
    ];
    expect(findWorkspaces(entries, () => ["workflow.files"])).toEqual([
      { name: "workflow", metaPath: "workflow.meta", dumpDir: "", filesRoot: "workflow.files" },
    ]);
    // No directories[] in the meta: <ws>.files.
    expect(findWorkspaces(entries, () => [])[0]?.filesRoot).toBe("workflow.files");
  });

  it("ProcessMaker's split layout: PATH_DATA without its leading '/', upgrade/<rand>/ holds meta and dump", () => {
    const entries = [
      e("opt/processmaker/shared/upgrade/5f1c2a/workflow.meta"),
      e("opt/processmaker/shared/upgrade/5f1c2a/wf_workflow.sql"),
      e("opt/processmaker/shared/sites/workflow/", "Directory"),
      e("opt/processmaker/shared/sites/workflow/db.php"),
    ];
    expect(findWorkspaces(entries, () => [])).toEqual([
      {
        name: "workflow",
        metaPath: "opt/processmaker/shared/upgrade/5f1c2a/workflow.meta",
        dumpDir: "opt/processmaker/shared/upgrade/5f1c2a/",
        filesRoot: "opt/processmaker/shared/sites/workflow",
      },
    ]);
    const files = planFiles(entries, "opt/processmaker/shared/sites/workflow");
    expect(files.map((f) => [f.rel, f.kind])).toEqual([
      ["", "dir"],
      ["db.php", "file"],
    ]);
  });

  it("several workspaces in one archive; meta files elsewhere are ignored", () => {
    const entries = [e("a.meta"), e("b.meta"), e("a.files/x.meta"), e("b.files/", "Directory")];
    expect(findWorkspaces(entries, () => []).map((w) => w.name)).toEqual(["a", "b"]);
  });
});

describe("paths", () => {
  it("normalizes and relates entry paths", () => {
    expect(normalizeEntryPath("./a//b/")).toBe("a/b");
    expect(normalizeEntryPath("a/./b/.")).toBe("a/b");
    expect(normalizeEntryPath(".//./a")).toBe("a");
    expect(normalizeEntryPath("a/../b")).toBe("a/../b");
    expect(relativeToRoot("w.files", "w.files/./x//y")).toBe("x/y");
    expect(normalizeEntryPath("/abs/x")).toBe("/abs/x");
    expect(relativeToRoot("w.files", "w.files/")).toBe("");
    expect(relativeToRoot("w.files", "./w.files/x/y")).toBe("x/y");
    expect(relativeToRoot("w.files", "w.filesX/y")).toBeUndefined();
    expect(unsafeArchivePath("/etc/passwd")).toMatch(/absolute/);
    expect(unsafeArchivePath("C:/x")).toMatch(/absolute/);
    expect(unsafeArchivePath("w.files/../../x")).toMatch(/\.\./);
    expect(unsafeArchivePath("w.files/a..b")).toBeUndefined();
  });
});

describe("planFiles", () => {
  const root = "w.files";
  it("keeps the workspace's entries with their kinds; other workspaces' are skipped", () => {
    const planned = planFiles(
      [
        e("w.files/", "Directory"),
        e("w.files/db.php"),
        e("w.files/public/latest.html", "SymbolicLink", { linkpath: "../mailTemplates/a.html" }),
        e("w.files/h", "Link", { linkpath: "w.files/db.php" }),
        e("other.files/x"),
      ],
      root,
    );
    expect(planned.map((p) => [p.rel, p.kind, p.linkRel])).toEqual([
      ["", "dir", undefined],
      ["db.php", "file", undefined],
      ["public/latest.html", "symlink", undefined],
      ["h", "hardlink", "db.php"],
    ]);
  });

  it("refuses entries that could land outside the workspace directory", () => {
    const cases: RawEntry[][] = [
      [e("../evil")],
      [e("/etc/cron.d/x")],
      [e("w.files/out", "SymbolicLink", { linkpath: "../../etc/passwd" })],
      [e("w.files/abs", "SymbolicLink", { linkpath: "/etc/passwd" })],
      [e("w.files/l", "SymbolicLink", { linkpath: "." }), e("w.files/l/x")],
      [e("w.files/h", "Link", { linkpath: "other.files/x" })],
      // Each link inside on its own, together outside: a/L1 -> .. is the workspace, so
      // a/L1/a/L1/../.. is two levels above it.
      [
        e("w.files/a/L1", "SymbolicLink", { linkpath: ".." }),
        e("w.files/L2", "SymbolicLink", { linkpath: "a/L1/a/L1/../.." }),
      ],
      [e("w.files/x", "SymbolicLink", { linkpath: "a/../.." })],
      [e("w.files/x", "SymbolicLink", { linkpath: "" })],
      // Other spellings of a path below a link.
      [e("w.files/a/L1", "SymbolicLink", { linkpath: ".." }), e("./w.files/a/L1/x")],
      [e("w.files/a/L1", "SymbolicLink", { linkpath: ".." }), e("w.files//a/L1/x")],
      [e("w.files/a/L1", "SymbolicLink", { linkpath: ".." }), e("w.files/a/./L1/x")],
      [
        e("w.files/a/L1", "SymbolicLink", { linkpath: ".." }),
        e("w.files/a/L1/", "Directory"),
        e("w.files/a/L1", "SymbolicLink", { linkpath: ".." }),
        e("w.files/a/L1/y"),
      ],
      // A hard link to a file that a later entry turned into a link, or through a link.
      [
        e("w.files/t"),
        e("w.files/t", "SymbolicLink", { linkpath: "db.php" }),
        e("w.files/h", "Link", { linkpath: "w.files/t" }),
      ],
      [
        e("w.files/a/L1", "SymbolicLink", { linkpath: ".." }),
        e("w.files/f"),
        e("w.files/h", "Link", { linkpath: "w.files/a/L1/f" }),
      ],
      [e("w.files/dev", "CharacterDevice")],
      [e("elsewhere/fifo", "FIFO")],
      [e("w.files", "File")],
    ];
    for (const entries of cases)
      expect(
        codeOf(() => planFiles(entries, root)),
        entries.map((x) => x.path).join(","),
      ).toBe("RESTORE.UNSAFE_ENTRY");
  });

  it("a later entry of the same name replaces a link, as tar does", () => {
    const planned = planFiles(
      [
        e("w.files/a/L", "SymbolicLink", { linkpath: "../files" }),
        e("w.files/a/L/", "Directory"),
        e("w.files/a/L/x"),
        e("w.files/./h", "Link", { linkpath: "./w.files/a/L/x" }),
      ],
      root,
    );
    expect(planned.map((p) => [p.rel, p.kind, p.linkRel])).toEqual([
      ["a/L", "symlink", undefined],
      ["a/L", "dir", undefined],
      ["a/L/x", "file", undefined],
      ["h", "hardlink", "a/L/x"],
    ]);
  });

  it("accepts a link that stays inside", () => {
    for (const [rel, target] of [
      ["a/b", "../c"],
      ["a/b", "./c/./d"],
      ["a/b", "."],
      ["a/b/c", "../../x/y"],
    ] as const)
      expect(
        planFiles([e(`w.files/${rel}`, "SymbolicLink", { linkpath: target })], root),
      ).toHaveLength(1);
    expect(planFiles([e("w.files/a/b", "SymbolicLink", { linkpath: "../c" })], root)).toHaveLength(
      1,
    );
  });
});
