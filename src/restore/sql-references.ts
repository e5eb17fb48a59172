// Which schemas a stored object's SQL names (pure). A restored view, trigger, routine or event
// runs as the workspace's account; one that names another schema (`other.t`, `mysql.user`) would
// let the archive reach beyond its own database, or fail at the first use. The loading account
// cannot read other schemas, but trigger, routine and event bodies are not checked on creation,
// so they are read here before the swap. Qualifiers are found outside strings and comments
// (MariaDB runs the inside of `/*! … */` and `/*M! … */`, so those count as code).

const IDENT_CHAR = /[\p{L}\p{N}_$]/u;

/** The identifiers written right before a `.` that is followed by another identifier. */
export function qualifiers(sql: string): string[] {
  const out = new Set<string>();
  let i = 0;
  /** The last identifier seen and where it ended (for `a . b` detection). */
  let last: { name: string; end: number } | undefined;
  let pendingDot: { qualifier: string } | undefined;
  const n = sql.length;
  const skipSpace = (): void => {
    while (i < n && /\s/.test(sql[i] ?? "")) i++;
  };
  const identifier = (name: string): void => {
    if (pendingDot) out.add(pendingDot.qualifier);
    pendingDot = undefined;
    last = { name, end: i };
  };
  while (i < n) {
    const c = sql[i] ?? "";
    const next = sql[i + 1] ?? "";
    if (/\s/.test(c)) {
      skipSpace();
      continue;
    }
    if (c === "-" && next === "-" && /\s|$/.test(sql[i + 2] ?? "")) {
      while (i < n && sql[i] !== "\n") i++;
      continue;
    }
    if (c === "#") {
      while (i < n && sql[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && next === "*") {
      const executable = sql[i + 2] === "!" || (sql[i + 2] === "M" && sql[i + 3] === "!");
      if (executable) {
        // Step over the marker and version digits; the rest is code up to the closing "*/",
        // which is skipped as punctuation below.
        i += sql[i + 2] === "!" ? 3 : 4;
        while (i < n && /\d/.test(sql[i] ?? "")) i++;
        continue;
      }
      const close = sql.indexOf("*/", i + 2);
      i = close === -1 ? n : close + 2;
      continue;
    }
    if (c === "'" || c === '"') {
      i++;
      while (i < n) {
        const d = sql[i];
        if (d === "\\") i += 2;
        else if (d === c && sql[i + 1] === c) i += 2;
        else if (d === c) break;
        else i++;
      }
      i++;
      last = undefined;
      pendingDot = undefined;
      continue;
    }
    if (c === "`") {
      let name = "";
      i++;
      while (i < n) {
        if (sql[i] === "`" && sql[i + 1] === "`") {
          name += "`";
          i += 2;
        } else if (sql[i] === "`") break;
        else name += sql[i++] ?? "";
      }
      i++;
      identifier(name);
      continue;
    }
    if (IDENT_CHAR.test(c)) {
      let name = "";
      while (i < n && IDENT_CHAR.test(sql[i] ?? "")) name += sql[i++] ?? "";
      identifier(name);
      continue;
    }
    if (c === "." && last && !pendingDot) {
      pendingDot = { qualifier: last.name };
      i++;
      continue;
    }
    last = undefined;
    pendingDot = undefined;
    i++;
  }
  return [...out];
}

/**
 * The qualifiers of `sql` that name a schema other than the allowed ones: any database on the
 * server (compared case-insensitively) and the system schemas, whether they exist or not.
 */
export function foreignSchemas(
  sql: string,
  allowed: readonly string[],
  serverSchemas: readonly string[],
): string[] {
  const ok = new Set(allowed.map((a) => a.toLowerCase()));
  const known = new Set(
    [...serverSchemas, "mysql", "information_schema", "performance_schema", "sys"].map((s) =>
      s.toLowerCase(),
    ),
  );
  return qualifiers(sql).filter((q) => !ok.has(q.toLowerCase()) && known.has(q.toLowerCase()));
}
