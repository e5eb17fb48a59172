// The fixture SQL shipped in fixtures/pm3: schema statements and definer-templated triggers/views.
import { readFile } from "node:fs/promises";

const FIXTURES = new URL("../../fixtures/pm3/", import.meta.url);

/** Statements of a plain script: separated by ';' at the end of a line, '--' comment lines dropped. */
export function splitStatements(sql: string): string[] {
  const lines = sql.split("\n").filter((l) => !/^\s*--/.test(l));
  return lines
    .join("\n")
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export async function schemaStatements(): Promise<string[]> {
  return splitStatements(await readFile(new URL("schema.sql", FIXTURES), "utf8"));
}

/** Trigger and view definitions, split on a line '-- ;;', with {{DEFINER}} filled in. */
export async function triggerStatements(definer: string): Promise<string[]> {
  const text = await readFile(new URL("triggers.sql", FIXTURES), "utf8");
  return text
    .split(/^--\s*;;\s*$/m)
    .map((s) => s.replaceAll("{{DEFINER}}", definer).trim().replace(/;\s*$/, ""))
    .filter((s) => s.replace(/^\s*--.*$/gm, "").trim().length > 0);
}
