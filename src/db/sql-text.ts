// SQL as text: quoting identifiers and string literals, values, INSERT statements. Pure functions,
// no driver (kysely keeps its compiler apart from its drivers too): the text is printed by
// --dry-run, written into dumps, run through the mysql client or sent by src/db/mysql.ts.

/** A value in SQL text. Dates are formatted by the caller, which knows whose clock they are on. */
export type SqlValue = string | number | null;

/** Quote an identifier for MySQL/MariaDB. */
export function ident(name: string): string {
  return `\`${name.replaceAll("`", "``")}\``;
}

/** Quote a string literal for SQL text that must be printed or written (dry-run, dumps). */
export function literal(value: string): string {
  // eslint-disable-next-line no-control-regex -- these control characters are exactly what must be escaped
  return `'${value.replace(/[\0\n\r\b\t\\'"\x1a]/g, (ch) => {
    switch (ch) {
      case "\0":
        return "\\0";
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\b":
        return "\\b";
      case "\t":
        return "\\t";
      case "\x1a":
        return "\\Z";
      default:
        return `\\${ch}`;
    }
  })}'`;
}

/** A value as SQL text: NULL, a number, or a quoted string. */
export function sqlValue(value: SqlValue): string {
  if (value === null) return "NULL";
  if (typeof value === "number") {
    // NaN and Infinity are not SQL; printing them would only fail later, on the server.
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return String(value);
  }
  return literal(value);
}

/** A row as column → value; every row of one INSERT must name the same columns in the same order. */
export type SqlRow = Readonly<Record<string, SqlValue>>;

/**
 * One multi-row INSERT, one row per line, with an explicit column list taken from the first row:
 * a strict sql_mode needs every NOT NULL column without a default, and named columns keep rows
 * readable.
 */
export function insertStatement(table: string, rows: readonly SqlRow[]): string {
  const first = rows[0];
  if (first === undefined) throw new RangeError(`no rows for ${table}`);
  const columns = Object.keys(first);
  const header = columns.join(",");
  const values = rows.map((row) => {
    if (Object.keys(row).join(",") !== header) {
      throw new RangeError(`${table}: row columns differ from the first row's`);
    }
    return `(${columns.map((c) => sqlValue(row[c] ?? null)).join(",")})`;
  });
  return `INSERT INTO ${ident(table)} (${columns.map(ident).join(",")}) VALUES\n${values.join(",\n")}`;
}
