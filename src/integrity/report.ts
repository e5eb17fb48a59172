// Turning check results into the exit code, the --json document and the text report. Pure: no
// I/O, colour through an injected painter so tests can render plain text.
import { ExitCode, type ExitCodeValue } from "../errors.js";
import type { CheckResult, Example, WorkspaceReport } from "./types.js";

export interface Painter {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export const PLAIN: Painter = {
  red: (s) => s,
  yellow: (s) => s,
  green: (s) => s,
  dim: (s) => s,
  bold: (s) => s,
};

export interface Summary {
  errors: number;
  warnings: number;
  passed: number;
  skipped: number;
  failed: number;
}

/** errors/warnings count checks with findings, not rows: "3 errors" means three kinds of problem. */
export function summarize(checks: readonly CheckResult[]): Summary {
  const s: Summary = { errors: 0, warnings: 0, passed: 0, skipped: 0, failed: 0 };
  for (const c of checks) {
    if (c.status === "ok") s.passed += 1;
    else if (c.status === "skipped") s.skipped += 1;
    else if (c.status === "failed") s.failed += 1;
    else if (c.severity === "error") s.errors += 1;
    else s.warnings += 1;
  }
  return s;
}

/** 1 when anything could not run (the answer is incomplete), else 4 for error findings, else 0. */
export function exitCodeFor(reports: readonly WorkspaceReport[]): ExitCodeValue {
  if (reports.some((r) => r.error !== null || r.checks.some((c) => c.status === "failed")))
    return ExitCode.failed;
  if (reports.some((r) => r.checks.some((c) => c.status === "problems" && c.severity === "error")))
    return ExitCode.findings;
  return ExitCode.ok;
}

export function jsonDocument(reports: readonly WorkspaceReport[]): Record<string, unknown> {
  const code = exitCodeFor(reports);
  return {
    ok: code === ExitCode.ok,
    exitCode: code,
    workspaces: reports.map((r) => ({ ...r, summary: summarize(r.checks) })),
  };
}

export function formatExample(e: Example): string {
  return Object.entries(e)
    .map(([k, v]) => `${k}=${v === null ? "NULL" : String(v)}`)
    .join(" ");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function renderCheck(c: CheckResult, p: Painter): string[] {
  const lines: string[] = [];
  if (c.status === "failed") {
    lines.push(`  ${p.red("FAILED ")} ${p.bold(c.id)}: could not run`);
    lines.push(`           ${c.reason ?? ""}`);
    return lines;
  }
  if (c.status === "skipped") {
    lines.push(`  ${p.dim("SKIPPED")} ${p.bold(c.id)}: ${c.reason ?? ""}`);
    return lines;
  }
  const tag = c.severity === "error" ? p.red("ERROR  ") : p.yellow("WARNING");
  lines.push(`  ${tag} ${p.bold(c.id)}: ${c.count} found`);
  lines.push(`           ${c.title}`);
  c.examples.forEach((e, i) =>
    lines.push(`           ${i === 0 ? "e.g." : "    "} ${formatExample(e)}`),
  );
  if (c.count > c.examples.length)
    lines.push(`                ${p.dim(`… and ${c.count - c.examples.length} more`)}`);
  lines.push(`           ${p.dim("fix:")} ${c.fix}`);
  return lines;
}

export function renderReport(
  reports: readonly WorkspaceReport[],
  p: Painter = PLAIN,
  verbose = false,
): string[] {
  const out: string[] = [];
  reports.forEach((r, i) => {
    if (i > 0) out.push("");
    out.push(p.bold(`Workspace ${r.workspace} (database ${r.database})`));
    if (r.error !== null) {
      out.push(`  ${p.red("FAILED ")} could not check this workspace: ${r.error}`);
      return;
    }
    const notable = r.checks.filter((c) => c.status !== "ok");
    const ordered = [
      ...notable.filter((c) => c.status === "failed"),
      ...notable.filter((c) => c.status === "problems" && c.severity === "error"),
      ...notable.filter((c) => c.status === "problems" && c.severity === "warning"),
      ...notable.filter((c) => c.status === "skipped"),
    ];
    for (const c of ordered) {
      out.push("");
      out.push(...renderCheck(c, p));
    }
    if (verbose) {
      const passed = r.checks.filter((c) => c.status === "ok").map((c) => c.id);
      if (passed.length > 0) out.push("", `  ${p.green("passed")}: ${passed.join(", ")}`);
    }
    const s = summarize(r.checks);
    const parts = [plural(s.errors, "error"), plural(s.warnings, "warning"), `${s.passed} passed`];
    if (s.skipped > 0) parts.push(`${s.skipped} skipped`);
    if (s.failed > 0) parts.push(`${s.failed} could not run`);
    const verdict =
      s.failed > 0 ? p.red("INCOMPLETE") : s.errors > 0 ? p.red("PROBLEMS") : p.green("OK");
    out.push("", `  ${verdict}: ${parts.join(", ")} (of ${r.checks.length} checks)`);
  });
  return out;
}
