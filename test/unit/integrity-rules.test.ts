// The pure parts of check-integrity: document paths, grant companions, the admin's due date,
// check selection, CHECK TABLE message triage, file matching and the report/exit code.
import { describe, expect, it } from "vitest";
import { daysBetween, judgeAdmin } from "../../src/integrity/admin.js";
import { CHECKS } from "../../src/integrity/catalog.js";
import { docKey, expectedDocPath, parseDocPath } from "../../src/integrity/doc-paths.js";
import { DocMatcher } from "../../src/integrity/files-check.js";
import { judgeGrants } from "../../src/integrity/rbac-grants.js";
import { exitCodeFor, renderReport, summarize } from "../../src/integrity/report.js";
import { selectChecks } from "../../src/integrity/select.js";
import { problemMessages } from "../../src/integrity/storage.js";
import type { CheckResult, WorkspaceReport } from "../../src/integrity/types.js";
import { STOCK_ROLE_PERMISSIONS } from "../../src/rbac/permission-catalog.js";

const APP = "4a1b2c3d4e5f60718293a4b5c6d7e8f9";
const DOC = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";

describe("document paths", () => {
  it("reads the ver2 layout, the older layout and outdocs/", () => {
    const want = { appUid: APP, appDocUid: DOC, version: 2 };
    expect(parseDocPath(`4a1/b2c/3d4/e5f60718293a4b5c6d7e8f9/${DOC}_2.pdf`)).toEqual(want);
    expect(parseDocPath(`${APP}/${DOC}_2.pdf`)).toEqual(want);
    expect(parseDocPath(`${APP}/outdocs/${DOC}_2.doc`)).toEqual(want);
    expect(parseDocPath(`4a1/b2c/3d4/e5f60718293a4b5c6d7e8f9/outdocs/${DOC}_2`)).toEqual(want);
  });

  it("ignores files that are not named like a case document", () => {
    expect(parseDocPath("secret-config.ini")).toBeNull();
    expect(parseDocPath("Überweisung März.pdf")).toBeNull();
    expect(parseDocPath(`4a1/b2c/${DOC}_1.pdf`)).toBeNull();
    expect(parseDocPath(`${APP}/notes.txt`)).toBeNull();
  });

  it("round-trips: the expected path parses back to the same document", () => {
    const ref = { appUid: APP, appDocUid: DOC, version: 1 };
    const p = expectedDocPath(ref, "Invoice 7.pdf");
    expect(p).toBe(`files/4a1/b2c/3d4/e5f60718293a4b5c6d7e8f9/${DOC}_1.pdf`);
    expect(parseDocPath(p.slice("files/".length))).toEqual(ref);
  });
});

describe("DocMatcher", () => {
  const disk = (paths: string[]) => {
    const byKey = new Map<string, string[]>();
    for (const p of paths) {
      const ref = parseDocPath(p)!;
      byKey.set(docKey(ref), [...(byKey.get(docKey(ref)) ?? []), `files/${p}`]);
    }
    return { byKey, unrecognised: 0 };
  };
  const row = (doc: string, version: number, status = "ACTIVE") => ({
    APP_DOC_UID: doc,
    DOC_VERSION: version,
    APP_UID: APP,
    APP_DOC_STATUS: status,
    APP_DOC_FILENAME: "a.pdf",
  });

  it("reports active rows without a file and files without a row; deleted rows still own their files", () => {
    const other = "11111111111111111111111111111111";
    const stray = "22222222222222222222222222222222";
    const m = new DocMatcher(
      disk([
        `${APP}/${DOC}_1.pdf`,
        `${APP}/outdocs/${other}_1.pdf`,
        `${APP}/outdocs/${other}_1.doc`,
        `${APP}/${stray}_3.png`,
      ]),
    );
    m.add([row(DOC, 1), row(DOC, 2)]);
    m.add([row(other, 1, "DELETED"), row("33333333333333333333333333333333", 1, "DELETED")]);
    expect(m.missing().count).toBe(1);
    expect(m.missing().examples[0]).toMatchObject({ APP_DOC_UID: DOC, DOC_VERSION: 2 });
    expect(m.orphaned()).toEqual({ count: 1, examples: [{ FILE: `files/${APP}/${stray}_3.png` }] });
  });
});

describe("grant companions", () => {
  it("leaves the stock PROCESSMAKER_MANAGER's shipped inert PM_SETUP_* grants alone", () => {
    const grants = (STOCK_ROLE_PERMISSIONS["PROCESSMAKER_MANAGER"] ?? []).map((permission) => ({
      role: "PROCESSMAKER_MANAGER",
      permission,
    }));
    const f = judgeGrants(grants);
    expect([f.inert.count, f.advisory.count]).toEqual([0, 0]);
    // The same grants on a role of one's own are inert: 17 of them, and one advisory.
    const mine = judgeGrants(grants.map((g) => ({ ...g, role: "MY_MANAGER" })));
    expect(mine.inert.count).toBe(17);
    expect(mine.advisory.examples).toEqual([
      { ROLE: "MY_MANAGER", PERMISSION: "PM_DELETE_PROCESS_CASES", SUGGESTED: "PM_FACTORY" },
    ]);
  });

  it("reports a stock grant made inert by revoking a companion the seed gives", () => {
    const grants = (STOCK_ROLE_PERMISSIONS["PROCESSMAKER_MANAGER"] ?? [])
      .filter((p) => p !== "PM_DASHBOARD")
      .map((permission) => ({ role: "PROCESSMAKER_MANAGER", permission }));
    expect(judgeGrants(grants).inert.examples).toEqual([
      {
        ROLE: "PROCESSMAKER_MANAGER",
        PERMISSION: "PM_SETUP_DASHBOARDS",
        MISSING: "PM_SETUP,PM_DASHBOARD",
      },
    ]);
  });

  it("finds nothing for the stock admin and operator roles; unknown permissions are not judged", () => {
    const grants = ["PROCESSMAKER_ADMIN", "PROCESSMAKER_OPERATOR"].flatMap((role) =>
      (STOCK_ROLE_PERMISSIONS[role] ?? []).map((permission) => ({ role, permission })),
    );
    grants.push({ role: "CUSTOM", permission: "PLUGIN_THING" });
    const f = judgeGrants(grants);
    expect([f.inert.count, f.advisory.count]).toEqual([0, 0]);
  });

  it("lists every missing companion", () => {
    const f = judgeGrants([
      { role: "R", permission: "PM_SETUP_USERS_AUTHENTICATION_SOURCES" },
      { role: "R", permission: "PM_SETUP" },
    ]);
    expect(f.inert.examples).toEqual([
      {
        ROLE: "R",
        PERMISSION: "PM_SETUP_USERS_AUTHENTICATION_SOURCES",
        MISSING: "PM_SETUP_ADVANCE,PM_USERS",
      },
    ]);
  });
});

describe("admin due date", () => {
  const row = (due: string) => ({
    USR_UID: "00000000000000000000000000000001",
    USR_USERNAME: "admin",
    USR_DUE_DATE: due,
  });
  it("expired before today, expiring today up to the warning window, fine after", () => {
    expect(daysBetween("2026-11-25", "2026-12-09")).toBe(14);
    expect(judgeAdmin(row("2026-11-24"), "2026-11-25", 14).expired.count).toBe(1);
    expect(judgeAdmin(row("2026-11-25"), "2026-11-25", 14).expiring.count).toBe(1);
    expect(judgeAdmin(row("2026-12-09"), "2026-11-25", 14).expiring.count).toBe(1);
    const fine = judgeAdmin(row("2026-12-10"), "2026-11-25", 14);
    expect([fine.missing.count, fine.expired.count, fine.expiring.count]).toEqual([0, 0, 0]);
    expect(judgeAdmin(undefined, "2026-11-25", 14).missing.count).toBe(1);
  });
});

describe("check selection", () => {
  it("runs every default check when none is named, never the opt-in ones", () => {
    const ids = selectChecks([]).map((c) => c.id);
    expect(ids).toContain("files.orphaned");
    expect(ids).not.toContain("storage.missing-stock-tables");
  });
  it("accepts ids and areas, keeps catalog order, and names opt-in checks only by id", () => {
    expect(
      selectChecks(["admin.expired", "storage.missing-stock-tables"]).map((c) => c.id),
    ).toEqual(["storage.missing-stock-tables", "admin.expired"]);
    expect(selectChecks(["storage"]).map((c) => c.id)).toEqual([
      "storage.check-table",
      "storage.missing-tables",
    ]);
  });
  it("refuses unknown names with a suggestion", () => {
    expect(() => selectChecks(["refrences"])).toThrow(/Did you mean 'references'/);
  });
  it("has unique ids, each in its own area", () => {
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
    for (const c of CHECKS) expect(c.id.startsWith(`${c.area}.`)).toBe(true);
  });
});

describe("CHECK TABLE triage", () => {
  const r = (Msg_type: string, Msg_text: string) => ({
    Table: "db.T",
    Op: "check",
    Msg_type,
    Msg_text,
  });
  it("keeps errors, warnings and a non-OK status; drops OK and notes", () => {
    expect(problemMessages([r("status", "OK")])).toEqual([]);
    expect(
      problemMessages([r("note", "The storage engine for the table doesn't support check")]),
    ).toEqual([]);
    expect(
      problemMessages([r("warning", "Table is marked as crashed"), r("error", "Corrupt")]),
    ).toHaveLength(2);
    expect(problemMessages([r("status", "Operation failed")])).toHaveLength(1);
  });
});

describe("report", () => {
  const check = (over: Partial<CheckResult>): CheckResult => ({
    id: "rbac.x",
    area: "rbac",
    severity: "error",
    title: "t",
    fix: "do it",
    status: "ok",
    count: 0,
    examples: [],
    ...over,
  });
  const ws = (checks: CheckResult[], error: string | null = null): WorkspaceReport => ({
    workspace: "w",
    database: "wf_w",
    error,
    checks,
  });

  it("exits 0 with warnings only, 4 with errors, 1 when anything could not run", () => {
    expect(exitCodeFor([ws([check({ severity: "warning", status: "problems", count: 3 })])])).toBe(
      0,
    );
    expect(exitCodeFor([ws([check({ status: "problems", count: 1 })])])).toBe(4);
    expect(
      exitCodeFor([ws([check({ status: "problems", count: 1 }), check({ status: "failed" })])]),
    ).toBe(1);
    expect(exitCodeFor([ws([], "Access denied")])).toBe(1);
    expect(exitCodeFor([ws([check({ status: "skipped" })])])).toBe(0);
  });

  it("renders what is wrong, how many, examples and what to do", () => {
    const c = check({
      status: "problems",
      count: 12,
      examples: [
        { USR_UID: "u1", N: 2 },
        { USR_UID: "u2", N: null },
      ],
    });
    const text = renderReport([ws([c, check({ id: "rbac.ok" })])]).join("\n");
    expect(text).toContain("ERROR   rbac.x: 12 found");
    expect(text).toContain("e.g. USR_UID=u1 N=2");
    expect(text).toContain("USR_UID=u2 N=NULL");
    expect(text).toContain("… and 10 more");
    expect(text).toContain("fix: do it");
    expect(text).not.toContain("rbac.ok");
    expect(summarize([c])).toEqual({ errors: 1, warnings: 0, passed: 0, skipped: 0, failed: 0 });
  });
});
