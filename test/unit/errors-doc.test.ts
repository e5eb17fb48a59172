// docs/errors.md and the source must list the same error codes with the same exit codes.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const EXIT_BY_FACTORY: Record<string, number> = { failure: 1, usage: 2, refused: 3 };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

function codesInSource(): Map<string, Set<number>> {
  const found = new Map<string, Set<number>>();
  const add = (code: string, exit: number): void => {
    if (!found.has(code)) found.set(code, new Set());
    found.get(code)!.add(exit);
  };
  for (const file of sources(path.join(ROOT, "src"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(
      /\b(failure|usage|refused)\(\s*"([A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+)"/g,
    )) {
      add(m[2]!, EXIT_BY_FACTORY[m[1]!]!);
    }
    for (const m of text.matchAll(/new PmError\(\s*"([A-Z][A-Z0-9_.]*)",\s*ExitCode\.(\w+)/g)) {
      const exit = { ok: 0, failed: 1, usage: 2, refused: 3, findings: 4, interrupted: 130 }[m[2]!];
      if (exit !== undefined) add(m[1]!, exit);
    }
  }
  return found;
}

function codesInDoc(): Map<string, number> {
  const doc = readFileSync(path.join(ROOT, "docs/errors.md"), "utf8");
  const out = new Map<string, number>();
  for (const m of doc.matchAll(/^\|\s*([A-Z][A-Z0-9_.]*)\s*\|\s*(\d+)\s*\|/gm))
    out.set(m[1]!, Number(m[2]));
  return out;
}

describe("docs/errors.md", () => {
  it("lists every error code the source can raise, with its exit code", () => {
    const doc = codesInDoc();
    const missing: string[] = [];
    for (const [code, exits] of codesInSource()) {
      const documented = doc.get(code);
      if (documented === undefined || !exits.has(documented))
        missing.push(`${code} (${[...exits].join("/")})`);
    }
    expect(missing).toEqual([]);
  });

  it("lists no code that the source does not use", () => {
    const source = codesInSource();
    const builtIn = new Set(["USAGE", "INTERNAL", "INTERRUPTED"]);
    const stale = [...codesInDoc().keys()].filter((c) => !source.has(c) && !builtIn.has(c));
    expect(stale).toEqual([]);
  });
});
