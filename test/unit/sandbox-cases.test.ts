import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  caseBatches,
  caseCounts,
  caseDocuments,
  documentRelPath,
  planCase,
  type CaseGenOptions,
} from "../../src/sandbox/cases.js";
import {
  MANAGER_UID,
  OPERATOR_UID,
  PROCESS_UID,
  TASK_UIDS,
  stockSeedStatements,
} from "../../src/sandbox/seed.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const base: CaseGenOptions = {
  count: 120,
  seed: 42,
  now: NOW,
  batchSize: 25,
  processUid: PROCESS_UID,
  taskUids: TASK_UIDS,
  userUids: ["00000000000000000000000000000001", OPERATOR_UID, MANAGER_UID],
  docBytes: 700,
};

/** Rows per table: insertStatement puts each row on its own line starting with "(" (comma dropped). */
function rowsByTable(statements: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of statements) {
    const table = /^INSERT INTO `(\w+)`/.exec(s)?.[1] ?? "?";
    const rows = s
      .split("\n")
      .filter((l) => l.startsWith("("))
      .map((l) => l.replace(/,$/, ""));
    out.set(table, [...(out.get(table) ?? []), ...rows]);
  }
  return out;
}

const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

describe("caseBatches / caseDocuments", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const a = [...caseBatches(base)];
    const b = [...caseBatches(base)];
    expect(b).toEqual(a);
    const docsA = [...caseDocuments(base)].map((d) => `${d.relPath}:${sha(d.content)}`);
    const docsB = [...caseDocuments(base)].map((d) => `${d.relPath}:${sha(d.content)}`);
    expect(docsB).toEqual(docsA);
    expect([...caseBatches({ ...base, seed: 43 })]).not.toEqual(a);
    // Batching changes statement boundaries, never the rows.
    const one = rowsByTable([...caseBatches({ ...base, batchSize: 1000 })]);
    expect(one).toEqual(rowsByTable(a));
  });

  it("yields exactly the rows caseCounts predicts, 1–3 delegations and 0–2 documents a case", () => {
    const counts = caseCounts(base);
    const rows = rowsByTable([...caseBatches(base)]);
    expect(rows.get("APPLICATION")).toHaveLength(counts.applications);
    expect(counts.applications).toBe(120);
    expect(rows.get("APP_DELEGATION")).toHaveLength(counts.delegations);
    expect(rows.get("APP_CACHE_VIEW")).toHaveLength(counts.cacheRows);
    expect(counts.cacheRows).toBe(counts.delegations);
    expect(rows.get("APP_DOCUMENT") ?? []).toHaveLength(counts.documents);
    expect(counts.documentBytes).toBe(counts.documents * 700);
    for (let n = 1; n <= 120; n++) {
      const p = planCase(base, n);
      expect(p.delegations.length).toBeGreaterThanOrEqual(1);
      expect(p.delegations.length).toBeLessThanOrEqual(3);
      expect(p.documents.length).toBeLessThanOrEqual(2);
      expect(p.delegations.filter((d) => d.open).length).toBe(
        p.status === "DRAFT" || p.status === "TO_DO" ? 1 : 0,
      );
    }
    // A realistic mix, not one shape repeated.
    expect(counts.delegations).toBeGreaterThan(150);
    expect(counts.documents).toBeGreaterThan(50);
    expect(new Set([...Array(120).keys()].map((i) => planCase(base, i + 1).status)).size).toBe(4);
  });

  it("uses unique 32-char lowercase hex UIDs", () => {
    const plans = [...Array(2000).keys()].map((i) => planCase({ ...base, count: 2000 }, i + 1));
    const appUids = plans.map((p) => p.appUid);
    const docUids = new Set(
      plans.flatMap((p) => p.documents.filter((d) => d.version === 1).map((d) => d.appDocUid)),
    );
    for (const u of [...appUids, ...docUids]) expect(u).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(appUids).size).toBe(2000);
    expect(docUids.size).toBe(
      plans.reduce((n, p) => n + p.documents.filter((d) => d.version === 1).length, 0),
    );
  });

  it("writes exactly one file per APP_DOCUMENT row, at the ver2 path", () => {
    const rows = rowsByTable([...caseBatches(base)]).get("APP_DOCUMENT") ?? [];
    const re = /^\('([0-9a-f]{32})','((?:[^']|'')*)',NULL,'[^']*',(\d+),'([0-9a-f]{32})',/;
    const expected = rows.map((line) => {
      const m = re.exec(line);
      if (m === null) throw new Error(`unparsed row ${line}`);
      const [, docUid = "", filename = "", version = "", appUid = ""] = m;
      return documentRelPath(
        appUid,
        docUid,
        Number(version),
        filename.slice(filename.lastIndexOf(".") + 1),
      );
    });
    const files = [...caseDocuments(base)];
    expect(files.map((f) => f.relPath).sort()).toEqual([...expected].sort());
    expect(new Set(expected).size).toBe(expected.length);
    for (const f of files) {
      expect(f.relPath).toMatch(
        /^files\/[0-9a-f]{3}\/[0-9a-f]{3}\/[0-9a-f]{3}\/[0-9a-f]{23}\/[0-9a-f]{32}_\d\.\w+$/,
      );
      expect(f.content).toHaveLength(700);
      expect(f.mode).toBe(0o644);
    }
    // Some documents carry a second version of the same APP_DOC_UID.
    expect(files.some((f) => f.relPath.endsWith("_2." + f.relPath.split(".").pop()))).toBe(true);
  });

  it("honours docBytes, including tiny sizes", () => {
    for (const docBytes of [0, 5, 65_537]) {
      const first = caseDocuments({ ...base, docBytes }).next();
      expect(first.done).toBe(false);
      if (first.done !== true) expect(first.value.content).toHaveLength(docBytes);
    }
  });

  it("is lazy: the first batch of a huge run arrives without planning the rest", () => {
    const huge = { ...base, count: 50_000_000, batchSize: 100 };
    const started = Date.now();
    const batches = caseBatches(huge);
    const first = batches.next();
    const second = batches.next();
    const docs = caseDocuments(huge);
    docs.next();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(first.value).toMatch(/^INSERT INTO `APPLICATION`/);
    expect(
      String(first.value)
        .split("\n")
        .filter((l) => l.startsWith("(")),
    ).toHaveLength(100);
    expect(second.value).toMatch(/^INSERT INTO `APP_DELEGATION`/);
    expect(
      String(second.value)
        .split("\n")
        .filter((l) => l.startsWith("(")).length,
    ).toBeLessThanOrEqual(300);
  });

  it("stores PHP-serialized APP_DATA with byte lengths, dates before now, and escaped quotes", () => {
    for (let n = 1; n <= 60; n++) {
      const p = planCase(base, n);
      for (const m of p.data.matchAll(/s:(\d+):"/g)) {
        const start = (m.index ?? 0) + m[0].length;
        const len = Number(m[1]);
        const rest = Buffer.from(p.data.slice(start), "utf8");
        expect(rest.subarray(len, len + 2).toString()).toBe('";');
      }
      for (const d of p.delegations) {
        expect(d.delegated.getTime()).toBeLessThanOrEqual(NOW.getTime());
        expect((d.finished ?? d.delegated).getTime()).toBeLessThanOrEqual(NOW.getTime());
      }
    }
    const all = [...caseBatches({ ...base, count: 300 })].join("\n");
    // literal() escapes a quote with a backslash (src/db/sql-text.ts).
    expect(all).toContain("O\\'Brien");
    expect(all).not.toMatch(/[^\\]'Brien/);
  });

  it("rejects options that cannot produce cases", () => {
    expect(() => [...caseBatches({ ...base, taskUids: [] })]).toThrow(RangeError);
    expect(() => [...caseBatches({ ...base, count: -1 })]).toThrow(RangeError);
    expect(() => [...caseDocuments({ ...base, docBytes: 1.5 })]).toThrow(RangeError);
  });
});

describe("stockSeedStatements", () => {
  const statements = stockSeedStatements({ now: NOW, adminPasswordHash: "a".repeat(64) });
  const rows = rowsByTable(statements);

  it("seeds the RBAC catalog, names, users and the cast", () => {
    expect(rows.get("RBAC_SYSTEMS")).toHaveLength(2);
    expect(rows.get("RBAC_PERMISSIONS")).toHaveLength(67);
    expect(rows.get("RBAC_ROLES")).toHaveLength(5);
    expect(rows.get("RBAC_ROLES_PERMISSIONS")).toHaveLength(0 + 66 + 17 + 59 + 1);
    expect(rows.get("CONTENT")?.filter((r) => r.startsWith("('PER_NAME'"))).toHaveLength(66);
    expect(rows.get("CONTENT")?.filter((r) => r.startsWith("('ROL_NAME'"))).toHaveLength(3);
    expect(rows.get("USERS")).toHaveLength(4);
    expect(rows.get("RBAC_USERS")).toHaveLength(4);
    expect(rows.get("RBAC_USERS_ROLES")).toHaveLength(4);
    expect(rows.get("TASK")).toHaveLength(3);
    expect(statements.join("\n")).toContain(
      String.raw`'a:2:{s:7:\"current\";s:6:\"sha256\";s:8:\"previous\";s:3:\"md5\";}'`,
    );
  });

  it("gives admin the supplied hash, the 2040 due date and PROCESSMAKER_ADMIN", () => {
    const admin = rows.get("USERS")?.[0] ?? "";
    expect(admin).toContain(`'00000000000000000000000000000001',1,'admin','${"a".repeat(64)}'`);
    expect(admin).toContain("'2040-01-01'");
    expect(admin).toContain("'PROCESSMAKER_ADMIN'");
    expect(rows.get("RBAC_USERS_ROLES")).toContain(
      "('00000000000000000000000000000002','00000000000000000000000000000005')",
    );
  });
});
