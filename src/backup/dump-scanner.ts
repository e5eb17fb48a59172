// Reads a mariadb-dump/mysqldump stream as it passes, without holding it: drops MariaDB's first-line
// sandbox-mode comment (older mysql clients reject it), counts rows per table, notes which tables,
// views, triggers, routines and events it defines, and whether the completion marker arrived.
//
// It works on lines except inside INSERT statements, which it scans byte by byte (quote-aware,
// counting top-level tuples): newer dumps put one tuple per line, older ones a whole statement
// on one line of up to net_buffer_length bytes, and a value may contain "(", ")" or ";".

export interface DumpSummary {
  tables: Map<string, number>;
  views: Set<string>;
  triggers: Set<string>;
  routines: Set<string>;
  events: Set<string>;
  completed: boolean;
  /** Character set of the dump's SET NAMES, when seen. */
  charset: string | undefined;
}

const NL = 0x0a;
const QUOTE = 0x27;
const BACKSLASH = 0x5c;
const HEAD_MAX = 512;

const IDENT = "`((?:[^`]|``)+)`";
const RE_INSERT = new RegExp(`^INSERT INTO ${IDENT} VALUES`);
const RE_TABLE = new RegExp(`^CREATE TABLE ${IDENT} \\(`);
const RE_VIEW = new RegExp(`^/\\*!50001 VIEW ${IDENT} AS`);
const RE_TRIGGER = /^\/\*!50003 CREATE\*\/ .*?\/\*!50003 TRIGGER\s+(`(?:[^`]|``)+`|[^\s`]+)/;
const RE_ROUTINE = new RegExp(`^CREATE (?:DEFINER=\\S+ )?(?:PROCEDURE|FUNCTION) ${IDENT}`);
const RE_EVENT = new RegExp(`^/\\*!50106 CREATE\\*/ .*?EVENT ${IDENT}`);
const RE_NAMES = /^\/\*!40101 SET NAMES (\w+) \*\/;/;
const RE_SANDBOX = /^\/\*M!999999\\- enable the sandbox mode \*\/\s*$/;

function unquote(name: string): string {
  return name.startsWith("`") ? name.slice(1, -1).replaceAll("``", "`") : name;
}

export class DumpScanner {
  readonly summary: DumpSummary = {
    tables: new Map(),
    views: new Set(),
    triggers: new Set(),
    routines: new Set(),
    events: new Set(),
    completed: false,
    charset: undefined,
  };
  private mode: "head" | "skip" | "insert" = "head";
  private head: Buffer[] = [];
  private headLen = 0;
  private insertTable = "";
  private inQuote = false;
  private escaped = false;
  private depth = 0;

  /** Feeds the next chunk of the dump (after the caller removed a sandbox first line). */
  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.mode === "skip") {
        const nl = chunk.indexOf(NL, i);
        if (nl < 0) return;
        i = nl + 1;
        this.mode = "head";
      } else if (this.mode === "head") {
        i = this.readHead(chunk, i);
      } else {
        i = this.scanInsert(chunk, i);
      }
    }
  }

  private readHead(chunk: Buffer, start: number): number {
    const nl = chunk.indexOf(NL, start);
    const end = nl < 0 ? chunk.length : nl;
    const consumedEnd = Math.min(end, start + (HEAD_MAX - this.headLen));
    this.head.push(chunk.subarray(start, consumedEnd));
    this.headLen += consumedEnd - start;
    if (nl < 0 && this.headLen < HEAD_MAX) return chunk.length;
    // We have the whole line, or enough of it to classify.
    const headBytes = this.head.length === 1 ? (this.head[0] as Buffer) : Buffer.concat(this.head);
    this.head = [];
    this.headLen = 0;
    const prefix = this.classify(headBytes.toString("utf8"));
    if (prefix !== undefined) {
      this.mode = "insert";
      this.inQuote = false;
      this.escaped = false;
      this.depth = 0;
      // The head was consumed already: scan what follows "VALUES" in it, then go on in the chunk.
      this.scanInsert(headBytes, Buffer.byteLength(prefix, "utf8"));
      return consumedEnd;
    }
    if (consumedEnd < end) {
      this.mode = "skip";
      return consumedEnd;
    }
    return nl < 0 ? chunk.length : nl + 1;
  }

  /** Returns the INSERT prefix when the line starts an INSERT statement. */
  private classify(line: string): string | undefined {
    const c = line.charCodeAt(0);
    if (c === 0x49 /* I */) {
      const m = RE_INSERT.exec(line);
      if (m) {
        this.insertTable = (m[1] ?? "").replaceAll("``", "`");
        if (!this.summary.tables.has(this.insertTable))
          this.summary.tables.set(this.insertTable, 0);
        return m[0];
      }
    } else if (c === 0x43 /* C */) {
      let m = RE_TABLE.exec(line);
      if (m) this.summary.tables.set((m[1] ?? "").replaceAll("``", "`"), 0);
      else if ((m = RE_ROUTINE.exec(line)))
        this.summary.routines.add((m[1] ?? "").replaceAll("``", "`"));
    } else if (c === 0x2f /* / */) {
      let m = RE_VIEW.exec(line);
      if (m) this.summary.views.add((m[1] ?? "").replaceAll("``", "`"));
      else if ((m = RE_TRIGGER.exec(line))) this.summary.triggers.add(unquote(m[1] ?? ""));
      else if ((m = RE_EVENT.exec(line)))
        this.summary.events.add((m[1] ?? "").replaceAll("``", "`"));
      else if ((m = RE_NAMES.exec(line))) this.summary.charset ??= m[1];
    } else if (c === 0x2d /* - */ && line.startsWith("-- Dump completed")) {
      this.summary.completed = true;
    }
    return undefined;
  }

  /** Scans INSERT values; returns the index after the statement's ";" or the chunk's end. */
  private scanInsert(chunk: Buffer, start: number): number {
    let rows = 0;
    let i = start;
    const n = chunk.length;
    // Next quote/backslash positions, found once per chunk region: rescanning from every escape
    // would be quadratic on blobs full of escapes.
    let q = -2;
    let b = -2;
    while (i < n && this.mode === "insert") {
      if (this.inQuote) {
        if (this.escaped) {
          this.escaped = false;
          i += 1;
          continue;
        }
        if (q !== -1 && q < i) q = chunk.indexOf(QUOTE, i);
        if (b !== -1 && b < i) b = chunk.indexOf(BACKSLASH, i);
        if (b >= 0 && (q < 0 || b < q)) {
          this.escaped = true;
          i = b + 1;
        } else if (q >= 0) {
          this.inQuote = false;
          i = q + 1;
        } else {
          i = n;
        }
        continue;
      }
      const c = chunk[i] as number;
      i += 1;
      if (c === QUOTE) this.inQuote = true;
      else if (c === 0x28) {
        if (this.depth === 0) rows += 1;
        this.depth += 1;
      } else if (c === 0x29) this.depth -= 1;
      else if (c === 0x3b && this.depth === 0) this.mode = "skip";
    }
    const t = this.summary.tables;
    t.set(this.insertTable, (t.get(this.insertTable) ?? 0) + rows);
    return i;
  }

  /** Base tables only: drops the placeholder tables older dumps create for views. */
  result(): DumpSummary {
    // A last line without a newline is still a line.
    if (this.mode === "head" && this.headLen > 0) this.readHead(Buffer.from("\n"), 0);
    for (const v of this.summary.views) this.summary.tables.delete(v);
    return this.summary;
  }
}

/** Whether a first line is MariaDB's sandbox-mode comment (to be dropped from the dump). */
export function isSandboxLine(line: string): boolean {
  return RE_SANDBOX.test(line);
}
