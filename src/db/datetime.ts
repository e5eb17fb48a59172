// DATE and DATETIME values as ProcessMaker writes them: PHP's date('Y-m-d H:i:s') in the server's
// local time. pmadmin runs on that server, so the local clock of the runtime is the right one for
// what it changes (local*). Generated fixtures use UTC instead (utc*): the same seed and "now" give
// the same bytes on every machine, whatever its time zone.
const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

/** 'YYYY-MM-DD' of a local date. */
export function localSqlDate(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** 'YYYY-MM-DD HH:MM:SS' of a local time. */
export function localSqlDateTime(d: Date): string {
  return `${localSqlDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** 'YYYY-MM-DD HH:MM:SS' in UTC, for generated fixture data (the sandbox's rows and files). */
export function utcSqlDateTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace("T", " ");
}

/** Parses 'YYYY-MM-DD' strictly (a real calendar date) into a local midnight; undefined otherwise. */
export function parseSqlDate(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d);
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d)
    return undefined;
  return date;
}

/** Local midnight of the day `days` after d (negative goes back). */
export function addDays(d: Date, days: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days);
}

/** Whole calendar days from `from` to `to` (local dates; DST-safe). */
export function daysBetween(from: Date, to: Date): number {
  const a = Date.UTC(from.getFullYear(), from.getMonth(), from.getDate());
  const b = Date.UTC(to.getFullYear(), to.getMonth(), to.getDate());
  return Math.round((b - a) / 86_400_000);
}
