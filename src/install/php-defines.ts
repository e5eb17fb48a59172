// Reading `define('KEY', 'value');` lines the way ProcessMaker does: single-quoted keys and values,
// any spacing (including newlines after the comma), values taken verbatim (no unescaping).
// Unquoted defines (PARTNER_FLAG) are not captured, exactly as ProcessMaker ignores them.

const DEFINE = /define\s*\(\s*'([^']+)'\s*,\s*'([\s\S]*?)'\s*\)\s*;/dg;

export interface DefineMatch {
  key: string;
  value: string;
  /** Offset of the value's first character in the source. */
  valueStart: number;
}

export function scanDefines(source: string): DefineMatch[] {
  const out: DefineMatch[] = [];
  for (const m of source.matchAll(DEFINE)) {
    const key = m[1] ?? "";
    const value = m[2] ?? "";
    const valueStart = m.indices?.[2]?.[0] ?? 0;
    out.push({ key, value, valueStart });
  }
  return out;
}

export function parseDefines(source: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const d of scanDefines(source)) map.set(d.key, d.value);
  return map;
}

/** Replace the values of some defines, keeping every other byte of the file as it was. */
export function rewriteDefines(source: string, values: Readonly<Record<string, string>>): string {
  let result = "";
  let last = 0;
  for (const d of scanDefines(source)) {
    const next = values[d.key];
    if (next === undefined) continue;
    if (next.includes("'") || next.includes("\\")) {
      throw new Error(`value for ${d.key} cannot contain a quote or backslash`);
    }
    result += source.slice(last, d.valueStart) + next;
    last = d.valueStart + d.value.length;
  }
  return result + source.slice(last);
}
