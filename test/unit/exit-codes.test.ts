// The README's exit-code table and the code's ExitCode constants must agree.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";

describe("exit codes", () => {
  it("README table lists exactly the codes the program uses", () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");
    const section = readme.split("## Exit codes")[1]!.split("\n## ")[0]!;
    const documented = [...section.matchAll(/^\| (\d+) \|/gm)]
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    expect(documented).toEqual(Object.values(ExitCode).sort((a, b) => a - b));
  });
});
