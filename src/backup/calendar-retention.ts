// Calendar retention (--keep-daily/--keep-weekly/--keep-monthly N), as restic's `forget` and
// borg's `prune` do it: for each rule, walk the backups newest first and keep the newest one of
// each day (week, month) until N distinct days (weeks, months) have one. A backup is kept if any
// rule keeps it. Days are UTC calendar days, weeks ISO 8601 weeks (Monday to Sunday, the year
// being the ISO week-numbering year), months calendar months; pure, no I/O.

export interface CalendarRules {
  daily?: number | undefined;
  weekly?: number | undefined;
  monthly?: number | undefined;
}

export interface Dated {
  /** When the backup was made (ms since the epoch). */
  createdMs: number;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** ISO 8601 week: the week of the Thursday of `ms`'s Monday-to-Sunday week. */
export function weekKey(ms: number): string {
  const d = new Date(ms);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3);
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return `${year}-W${pad(week)}`;
}

export function monthKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
}

export function hasCalendarRules(r: CalendarRules): boolean {
  return (r.daily ?? 0) > 0 || (r.weekly ?? 0) > 0 || (r.monthly ?? 0) > 0;
}

/** The backups the rules keep (the same objects), newest first. */
export function calendarKeep<T extends Dated>(backups: readonly T[], rules: CalendarRules): T[] {
  const newestFirst = [...backups].sort((a, b) => b.createdMs - a.createdMs);
  const kept = new Set<T>();
  const rule = (n: number | undefined, key: (ms: number) => string): void => {
    if (!n || n <= 0) return;
    const seen = new Set<string>();
    for (const b of newestFirst) {
      if (seen.size >= n) break;
      const k = key(b.createdMs);
      if (seen.has(k)) continue;
      seen.add(k);
      kept.add(b);
    }
  };
  rule(rules.daily, dayKey);
  rule(rules.weekly, weekKey);
  rule(rules.monthly, monthKey);
  return newestFirst.filter((b) => kept.has(b));
}

/**
 * The creation time a file name holds, when it has one: `yyyymmdd[-_T]hhmmss`,
 * `yyyy-mm-dd[T_ ]hh[:-]mm[:-]ss` or a bare date (midnight), read as UTC (pmadmin's names are UTC).
 */
export function dateFromName(name: string): number | undefined {
  const m =
    /(\d{4})-?(\d{2})-?(\d{2})(?:[-_T ]?(\d{2})[:-]?(\d{2})[:-]?(\d{2}))?/.exec(name) ?? undefined;
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const ms = Date.UTC(y!, mo! - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d! || y! < 1970) return undefined;
  return ms;
}
