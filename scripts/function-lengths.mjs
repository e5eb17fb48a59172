// Lists the functions in src/ longer than 80 lines (issue 11: none but declarative tables).
// Usage: node scripts/function-lengths.mjs
import ts from "typescript";
import fs from "node:fs";
import path from "node:path";
const files = [];
const walk = (d) => {
  for (const n of fs.readdirSync(d)) {
    const p = path.join(d, n);
    if (fs.statSync(p).isDirectory()) walk(p);
    else if (p.endsWith(".ts")) files.push(p);
  }
};
walk("src");
const out = [];
for (const f of files) {
  const src = ts.createSourceFile(f, fs.readFileSync(f, "utf8"), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node)
    ) {
      const s = src.getLineAndCharacterOfPosition(node.getStart()).line;
      const e = src.getLineAndCharacterOfPosition(node.getEnd()).line;
      const len = e - s + 1;
      if (len > 80) out.push([len, `${f}:${s + 1}`, node.name?.getText?.() ?? "(anon)"]);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
}
out.sort((a, b) => b[0] - a[0]);
for (const o of out) console.log(o.join("  "));
