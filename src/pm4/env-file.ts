// Parsing a Laravel `.env` the way phpdotenv (v5) reads it, for the keys pmadmin needs. A key that is
// absent differs from one set to "" (Laravel's env() falls back to the default only when absent),
// so the result is a Map and callers test `has()`.

export type DotEnv = ReadonlyMap<string, string>;

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/;

/** ${NAME} and $NAME refer to keys defined earlier in the file (phpdotenv expands both forms). */
function expand(value: string, vars: Map<string, string>): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g,
    (_m, name: string) => vars.get(name) ?? "",
  );
}

function unescapeDouble(body: string): string {
  return body.replace(/\\([\\"nrt$])/g, (_m, ch: string) => {
    switch (ch) {
      case "n":
        return "\n";
      case "r":
        return "\r";
      case "t":
        return "\t";
      default:
        return ch;
    }
  });
}

/** Finds the closing quote at or after `from`, skipping backslash escapes in double quotes. */
function closingQuote(text: string, quote: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (quote === '"' && ch === "\\") i++;
    else if (ch === quote) return i;
  }
  return -1;
}

export function parseDotEnv(source: string): DotEnv {
  const vars = new Map<string, string>();
  const lines = source.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = LINE.exec(lines[i] ?? "");
    if (!m) continue; // comments, blank lines and junk are ignored, as phpdotenv's lenient reader does
    const key = m[1] as string;
    let raw = m[2] ?? "";
    const quote = raw[0];
    if (quote === '"' || quote === "'") {
      // Quoted values may span lines.
      let end = closingQuote(raw, quote, 1);
      while (end < 0 && i + 1 < lines.length) {
        raw += `\n${lines[++i] ?? ""}`;
        end = closingQuote(raw, quote, 1);
      }
      const body = raw.slice(1, end < 0 ? raw.length : end);
      vars.set(key, quote === "'" ? body : expand(unescapeDouble(body), vars));
      continue;
    }
    // Unquoted: an inline comment starts at " #".
    const hash = raw.search(/\s#/);
    if (raw.startsWith("#")) raw = "";
    else if (hash >= 0) raw = raw.slice(0, hash);
    vars.set(key, expand(raw.trim(), vars));
  }
  return vars;
}
