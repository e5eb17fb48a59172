// The --keep family rule: the same name once its date/time digit runs are masked.
import { describe, expect, it } from "vitest";
import { familyKey } from "../../src/backup/retention.js";

const same = (a: string, b: string): boolean =>
  familyKey(a) !== undefined && familyKey(a) === familyKey(b);

describe("familyKey", () => {
  it("puts dated backups of one series in one family", () => {
    expect(same("workflow-2026-12-01.tar.gz", "workflow-2026-12-08.tar.gz")).toBe(true);
    expect(same("workflow-20261201.tar.gz", "workflow-20261208.tar.gz")).toBe(true);
    expect(same("workflow-20261201-031500.tgz", "workflow-20261208-231501.tgz")).toBe(true);
    expect(same("wf_2026-12-01T03:15:00.tar", "wf_2026-12-02T04:00:59.tar")).toBe(true);
    expect(same("workflow-1764979200.tar", "workflow-1765065600.tar")).toBe(true);
    expect(same("ws2-2026-12-01.tar", "ws2-2026-12-02.tar")).toBe(true);
  });

  it("keeps other names, other endings and other prefixes out", () => {
    const dated = "workflow-2026-12-01.tar.gz";
    for (const other of [
      "before-upgrade.tar",
      "workflow.tar",
      "workflow.tar.gz",
      "other-2026-12-01.tar.gz",
      "workflow-2026-12-01.tar",
      "workflow-2026-12-01.tgz",
      "workflow-2026-12-01-pre.tar.gz",
    ]) {
      expect(same(dated, other), other).toBe(false);
    }
  });

  it("a name without a date/time run is a family of one", () => {
    expect(familyKey("before-upgrade.tar")).toBeUndefined();
    expect(familyKey("workflow.tar")).toBeUndefined();
    // Short numbers are part of the name, not a date: hand-numbered backups are not a series.
    expect(familyKey("backup-1.tar")).toBeUndefined();
    expect(familyKey("workflow-v2.tar.gz")).toBeUndefined();
  });

  it("split parts belong to the family of their file", () => {
    expect(familyKey("workflow-2026-12-01.tar.gz.00")).toBe(
      familyKey("workflow-2026-12-08.tar.gz"),
    );
    expect(familyKey("workflow-2026-12-01.tar.9000")).toBe(familyKey("workflow-2026-12-08.tar"));
    expect(familyKey("before-upgrade.tar.03")).toBeUndefined();
  });
});
