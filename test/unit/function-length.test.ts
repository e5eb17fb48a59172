// House rule (issue 11): no function in src/ over 80 lines, so each reads as the one step it is.
// Declarative tables (data, not control flow) are the exception and are listed here by name.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const LIMIT = 80;
const TABLES = new Set<string>([]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

function longFunctions(file: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node)
    ) {
      const first = src.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = src.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name =
        (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name
          ? node.name.getText(src)
          : "(anonymous)";
      if (last - first + 1 > LIMIT && !TABLES.has(name))
        out.push(`${file}:${first + 1} ${name} (${last - first + 1} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return out;
}

describe("function length", () => {
  it(`no function in src/ is over ${LIMIT} lines`, () => {
    const root = path.resolve(import.meta.dirname, "../../src");
    expect(sources(root).flatMap(longFunctions)).toEqual([]);
  });
});
