// Which schemas a stored object's SQL names (pure). A restored view, trigger, routine or event
// runs as the workspace's account; one that names another schema (`other.t`, `mysql.user`) would
// let the archive reach beyond its own database, or fail at the first use. The loading account
// cannot read other schemas, but trigger, routine and event bodies are not checked on creation,
// so they are read here before the swap. Qualifiers are found outside strings and comments
// (MariaDB runs the inside of `/*! … */` and `/*M! … */`, so those count as code).

const IDENT_CHAR = /[\p{L}\p{N}_$]/u;

/** What the scanner met: code that names nothing (space, comments), a string, a name, a sign. */
type Token =
  | { kind: "nothing" }
  | { kind: "string" }
  | { kind: "identifier"; name: string }
  | { kind: "sign"; sign: string };

/** The identifiers written right before a `.` that is followed by another identifier. */
export function qualifiers(sql: string): string[] {
  const out = new Set<string>();
  /** The identifier just read: a qualifier if a `.` and an identifier follow. */
  let last: string | undefined;
  /** `<last>.` was read: `last` is a qualifier if an identifier comes next. */
  let pendingDot: string | undefined;
  for (let i = 0; i < sql.length;) {
    const [token, end] = nextToken(sql, i);
    i = end;
    if (token.kind === "nothing") continue;
    if (token.kind === "identifier") {
      if (pendingDot !== undefined) out.add(pendingDot);
      pendingDot = undefined;
      last = token.name;
    } else if (
      token.kind === "sign" &&
      token.sign === "." &&
      last !== undefined &&
      pendingDot === undefined
    ) {
      pendingDot = last;
    } else {
      last = undefined;
      pendingDot = undefined;
    }
  }
  return [...out];
}

/** The token at `i` and where it ends. */
function nextToken(sql: string, i: number): [Token, number] {
  const c = sql[i] ?? "";
  const next = sql[i + 1] ?? "";
  if (/\s/.test(c)) {
    while (i < sql.length && /\s/.test(sql[i] ?? "")) i++;
    return [{ kind: "nothing" }, i];
  }
  // `--` starts a comment only when a blank (or the end) follows: `1 --1` is 1 - (-1).
  const dashComment = c === "-" && next === "-" && /^\s?$/.test(sql[i + 2] ?? "");
  if (dashComment || c === "#") return [{ kind: "nothing" }, lineEnd(sql, i)];
  if (c === "/" && next === "*") return [{ kind: "nothing" }, commentEnd(sql, i)];
  if (c === "'" || c === '"') return [{ kind: "string" }, stringEnd(sql, i)];
  if (c === "`") return quotedIdentifier(sql, i);
  if (IDENT_CHAR.test(c)) {
    let name = "";
    while (i < sql.length && IDENT_CHAR.test(sql[i] ?? "")) name += sql[i++] ?? "";
    return [{ kind: "identifier", name }, i];
  }
  return [{ kind: "sign", sign: c }, i + 1];
}

function lineEnd(sql: string, i: number): number {
  while (i < sql.length && sql[i] !== "\n") i++;
  return i;
}

// A plain comment ends after its closing "*/". MariaDB runs the inside of "/*! … */" and
// "/*M! … */": only the marker and its version digits are stepped over, the rest is code up to the
// closing "*/", which is read as signs.
function commentEnd(sql: string, i: number): number {
  const executable = sql[i + 2] === "!" || (sql[i + 2] === "M" && sql[i + 3] === "!");
  if (!executable) {
    const close = sql.indexOf("*/", i + 2);
    return close === -1 ? sql.length : close + 2;
  }
  i += sql[i + 2] === "!" ? 3 : 4;
  while (i < sql.length && /\d/.test(sql[i] ?? "")) i++;
  return i;
}

/** After a '…' or "…" string: a backslash escapes, a doubled quote is one. */
function stringEnd(sql: string, i: number): number {
  const quote = sql[i];
  i++;
  while (i < sql.length) {
    const d = sql[i];
    if (d === "\\") i += 2;
    else if (d === quote && sql[i + 1] === quote) i += 2;
    else if (d === quote) break;
    else i++;
  }
  return i + 1;
}

/** A `…` identifier (a doubled backtick is one). */
function quotedIdentifier(sql: string, i: number): [Token, number] {
  let name = "";
  i++;
  while (i < sql.length) {
    if (sql[i] === "`" && sql[i + 1] === "`") {
      name += "`";
      i += 2;
    } else if (sql[i] === "`") break;
    else name += sql[i++] ?? "";
  }
  return [{ kind: "identifier", name }, i + 1];
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
