// Where words go: results to stdout (text or one JSON document), everything else to stderr.
import type { ChalkInstance } from "chalk";
import type { Runtime } from "../runtime.js";
import { colorEnabled, makeChalk } from "./color.js";

/** Bumped when a field of a --json document changes meaning or goes away (docs/json.md). */
export const JSON_SCHEMA_VERSION = 1;

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
}

export class Output {
  readonly c: ChalkInstance;
  readonly json: boolean;
  private readonly quiet: boolean;
  private readonly verboseOn: boolean;
  private jsonWritten = false;

  constructor(
    private readonly rt: Runtime,
    options: OutputOptions,
  ) {
    this.json = options.json;
    this.quiet = options.quiet;
    this.verboseOn = options.verbose;
    this.c = makeChalk(!options.json && colorEnabled(rt, options.color));
  }

  /** A line of the human result on stdout; suppressed under --json and --quiet. */
  line(text = ""): void {
    if (this.json || this.quiet) return;
    this.rt.stdout.write(`${text}\n`);
  }

  /** A human result line that --quiet keeps (the essential answer, e.g. a generated password). */
  essential(text: string): void {
    if (this.json) return;
    this.rt.stdout.write(`${text}\n`);
  }

  /** Progress and notes on stderr; hidden by --quiet. */
  info(text: string): void {
    if (this.quiet) return;
    this.rt.stderr.write(`${text}\n`);
  }

  /** Warnings on stderr; --quiet keeps them (a cron job's mail should say what went wrong). */
  warn(text: string): void {
    this.rt.stderr.write(`${this.errC("warning:")} ${text}\n`);
  }

  /** Debug detail on stderr with -v. */
  verbose(text: string): void {
    if (!this.verboseOn) return;
    this.rt.stderr.write(`${text}\n`);
  }

  get isVerbose(): boolean {
    return this.verboseOn;
  }

  /** The one JSON document of a --json run. */
  document(value: unknown): void {
    if (!this.json || this.jsonWritten) return;
    this.jsonWritten = true;
    const doc =
      typeof value === "object" && value !== null && !Array.isArray(value)
        ? { schemaVersion: JSON_SCHEMA_VERSION, ...value }
        : value;
    this.rt.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  }

  /**
   * The one JSON document of a --json run whose `key` array is too long to hold in memory: the
   * head's fields, then the items as `items` yields them (one per line).
   */
  async streamDocument(
    head: Record<string, unknown>,
    key: string,
    items: AsyncIterable<unknown>,
  ): Promise<void> {
    if (!this.json || this.jsonWritten) return;
    this.jsonWritten = true;
    const top = JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, ...head }, null, 2);
    this.rt.stdout.write(`${top.slice(0, -2)},\n  ${JSON.stringify(key)}: [`);
    let first = true;
    for await (const item of items) {
      this.rt.stdout.write(`${first ? "" : ","}\n    ${JSON.stringify(item)}`);
      first = false;
    }
    this.rt.stdout.write(`${first ? "" : "\n  "}]\n}\n`);
  }

  get documentWritten(): boolean {
    return this.jsonWritten;
  }

  /** Whether interactive progress (bars, spinners) may be drawn. */
  get progressAllowed(): boolean {
    return !this.quiet && Boolean(this.rt.stderr.isTTY);
  }

  private errC(text: string): string {
    return colorEnabled(this.rt, true) && !this.json ? this.c.yellow(text) : text;
  }
}

/** Right-aligned label/value rows in ProcessMaker's `info` style. */
export function labelRows(rows: ReadonlyArray<readonly [string, string]>, width = 20): string[] {
  return rows.map(([label, value]) => `${label.padStart(width)} ${value}`);
}
