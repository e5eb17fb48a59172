// Colour only for humans: off with --no-color, NO_COLOR, a non-TTY stdout, or --json.
import { Chalk, type ChalkInstance } from "chalk";
import type { Runtime } from "../runtime.js";

export function colorEnabled(rt: Runtime, wanted: boolean): boolean {
  if (!wanted) return false;
  const noColor = rt.env["NO_COLOR"];
  if (noColor !== undefined && noColor !== "") return false;
  if (rt.env["FORCE_COLOR"] !== undefined && rt.env["FORCE_COLOR"] !== "0") return true;
  return Boolean(rt.stdout.isTTY);
}

export function makeChalk(enabled: boolean): ChalkInstance {
  return new Chalk({ level: enabled ? 1 : 0 });
}

// eslint-disable-next-line no-control-regex -- ESC starts every colour sequence
const ANSI = /\u001b\[[0-9;]*m/g;
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}
