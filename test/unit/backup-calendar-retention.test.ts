// Calendar retention (--keep-daily/weekly/monthly) on a generated 90-day history: exactly the
// expected backups are kept, as restic forget / borg prune would keep them.
import { describe, expect, it } from "vitest";
import {
  calendarKeep,
  dateFromName,
  dayKey,
  monthKey,
  weekKey,
} from "../../src/backup/calendar-retention.js";

const at = (iso: string) => ({ name: iso, createdMs: Date.parse(iso) });

/** One backup a day at 03:00 UTC from 2026-09-01 to 2026-11-29 (a Sunday), plus two at 15:00. */
function history() {
  const out: Array<{ name: string; createdMs: number }> = [];
  for (let ms = Date.UTC(2026, 8, 1, 3); ms <= Date.UTC(2026, 10, 29, 3); ms += 86_400_000)
    out.push(at(new Date(ms).toISOString()));
  out.push(at("2026-11-25T15:00:00.000Z"), at("2026-10-31T15:00:00.000Z"));
  // Shuffled (deterministically): the rules must not depend on the input order.
  return out.sort((a, b) => (a.createdMs % 7) - (b.createdMs % 7) || a.createdMs - b.createdMs);
}

const names = (xs: Array<{ name: string }>) => xs.map((x) => x.name.slice(0, 16)).sort();

describe("calendar retention", () => {
  it("has a 90-day history to work on", () => {
    expect(history()).toHaveLength(92);
  });

  it("keep-daily 7, keep-weekly 4, keep-monthly 3 keep exactly the expected set", () => {
    const kept = calendarKeep(history(), { daily: 7, weekly: 4, monthly: 3 });
    expect(names(kept)).toEqual([
      "2026-09-30T03:00", // month: September's newest
      "2026-10-31T15:00", // month: October's newest (the later of that day's two)
      "2026-11-08T03:00", // weeks: the Sundays of the four newest ISO weeks
      "2026-11-15T03:00",
      "2026-11-22T03:00",
      "2026-11-23T03:00", // days: the newest of each of the last seven days
      "2026-11-24T03:00",
      "2026-11-25T15:00",
      "2026-11-26T03:00",
      "2026-11-27T03:00",
      "2026-11-28T03:00",
      "2026-11-29T03:00",
    ]);
  });

  it("each rule alone", () => {
    expect(names(calendarKeep(history(), { daily: 2 }))).toEqual([
      "2026-11-28T03:00",
      "2026-11-29T03:00",
    ]);
    expect(names(calendarKeep(history(), { weekly: 2 }))).toEqual([
      "2026-11-22T03:00",
      "2026-11-29T03:00",
    ]);
    expect(names(calendarKeep(history(), { monthly: 12 }))).toEqual([
      "2026-09-30T03:00",
      "2026-10-31T15:00",
      "2026-11-29T03:00",
    ]);
    expect(calendarKeep(history(), {})).toEqual([]);
  });

  it("counts days that have a backup, not calendar days (gaps are skipped)", () => {
    const sparse = [
      at("2026-11-29T01:00:00Z"),
      at("2026-11-20T01:00:00Z"),
      at("2026-11-01T01:00:00Z"),
    ];
    expect(names(calendarKeep(sparse, { daily: 2 }))).toEqual([
      "2026-11-20T01:00",
      "2026-11-29T01:00",
    ]);
  });

  it("buckets: UTC days, ISO weeks across a year end, months", () => {
    expect(dayKey(Date.parse("2026-11-29T23:59:59Z"))).toBe("2026-11-29");
    expect(weekKey(Date.parse("2026-11-23T00:00:00Z"))).toBe("2026-W48");
    expect(weekKey(Date.parse("2026-11-29T23:00:00Z"))).toBe("2026-W48");
    expect(weekKey(Date.parse("2026-12-31T12:00:00Z"))).toBe("2026-W53");
    expect(weekKey(Date.parse("2027-01-03T12:00:00Z"))).toBe("2026-W53");
    expect(weekKey(Date.parse("2027-01-04T12:00:00Z"))).toBe("2027-W01");
    expect(weekKey(Date.parse("2021-01-01T12:00:00Z"))).toBe("2020-W53");
    expect(monthKey(Date.parse("2026-02-28T12:00:00Z"))).toBe("2026-02");
  });

  it("reads the date in a backup's name (UTC), or none", () => {
    expect(dateFromName("workflow-20261129-031500.tar.gz.age")).toBe(Date.UTC(2026, 10, 29, 3, 15));
    expect(dateFromName("workflow-2026-11-29.tar.gz.age")).toBe(Date.UTC(2026, 10, 29));
    expect(dateFromName("workflow-2026-11-29T03:15:00.tar")).toBe(Date.UTC(2026, 10, 29, 3, 15));
    expect(dateFromName("workflow-2026-13-45.tar")).toBeUndefined();
    expect(dateFromName("workflow.tar")).toBeUndefined();
  });
});
