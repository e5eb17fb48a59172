// Reading a manifest as a stream of text: its "entries" array is split out element by element, so
// a manifest of a million entries is checked without holding it (restore verifies it in lockstep
// with what pass 1 hashed, read/manifest-verify.ts).
import type { Manifest, ManifestEntry } from "./manifest.js";
import { checkManifestHead, manifestEntryProblem, notJson } from "./manifest-validate.js";

/**
 * Reads a manifest fed as text chunks. Each element of "entries" is checked and, while every one
 * so far was well-formed and `onEntry` has returned no problem, handed to `onEntry` in order; the
 * text is read to its end either way. Returns the manifest with an empty `entries`. The first
 * problem wins in the order a whole-document check gives: a JSON syntax error, the manifest's
 * other fields, a malformed entry, then the problem `onEntry` returned. (What `onEntry` throws
 * propagates at once.)
 */
export async function readManifest(
  chunks: AsyncIterable<string> | Iterable<string>,
  onEntry: (e: ManifestEntry) => Promise<Error | undefined> | Error | undefined,
): Promise<Manifest> {
  const splitter = new ManifestEntriesSplitter();
  let malformed: Error | undefined;
  let refused: Error | undefined;
  for await (const chunk of chunks) {
    for (const raw of splitter.feed(chunk)) {
      malformed ??= manifestEntryProblem(raw);
      if (malformed || refused) continue;
      refused = await onEntry(raw as ManifestEntry);
    }
  }
  const headText = splitter.end();
  if (splitter.syntaxError !== undefined) throw notJson(splitter.syntaxError);
  let head: unknown;
  try {
    head = JSON.parse(headText);
  } catch (error) {
    throw notJson((error as Error).message);
  }
  const m = checkManifestHead(head);
  if (malformed) throw malformed;
  if (refused) throw refused;
  return m;
}

/** Where the splitter is: outside "entries", between its elements, inside one, or failed. */
const enum Mode {
  Head,
  Between,
  Element,
  Dead,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const opens = (c: number): boolean => c === OPEN_BRACE || c === OPEN_BRACKET;
const closes = (c: number): boolean => c === CLOSE_BRACE || c === CLOSE_BRACKET;

/**
 * Splits a manifest's JSON text, fed in chunks, into its "entries" array's elements (parsed one
 * at a time) and everything else (`end()`: the text with that array emptied). Any JSON syntax
 * error, inside the array or out, is reported by `syntaxError` (elements and separators here; the
 * rest when the head is parsed).
 */
export class ManifestEntriesSplitter {
  syntaxError: string | undefined;
  private readonly headParts: string[] = [];
  private mode = Mode.Head;
  private depth = 0;
  private inStr = false;
  private esc = false;
  /** Head, depth 1: the string token being read, the last one, and whether ':' followed it. */
  private tok = "";
  private key: string | undefined;
  private afterStr = false;
  private afterKey = false;
  private seenEntries = false;
  /** Between elements. */
  private hadElem = false;
  private afterComma = false;
  /** Current element. */
  private elem: string[] = [];
  private elemDepth = 0;
  private elemKind: "nest" | "str" | "prim" = "nest";
  /** The chunk being fed, where its text not yet kept starts, and the elements completed in it. */
  private chunk = "";
  private seg = 0;
  private out: unknown[] = [];

  /** Feeds a chunk; returns the elements of "entries" completed in it, in order. */
  feed(chunk: string): unknown[] {
    const out: unknown[] = [];
    this.chunk = chunk;
    this.seg = 0;
    this.out = out;
    for (let i = 0; i < chunk.length && this.mode !== Mode.Dead; i++) {
      const c = chunk.charCodeAt(i);
      if (this.mode === Mode.Head) this.inHead(c, i);
      else if (this.mode === Mode.Between) this.between(c, i);
      else if (this.inElement(c, i)) i -= 1; // the separator is read again between elements
    }
    if (this.mode === Mode.Head) this.headParts.push(chunk.slice(this.seg));
    else if (this.mode === Mode.Element) this.elem.push(chunk.slice(this.seg));
    this.chunk = "";
    this.out = [];
    return out;
  }

  /** Ends the input; returns the text without the entries' elements. */
  end(): string {
    if (this.mode === Mode.Element && this.elemKind === "prim") {
      this.elem.push("");
      this.finishElement();
    }
    if (this.mode === Mode.Between || this.mode === Mode.Element)
      this.fail("the entries array is not closed");
    return this.headParts.join("");
  }

  /** Outside the entries array: tracks depth and the last key at depth 1 to find "entries". */
  private inHead(c: number, i: number): void {
    if (this.inStr) return this.headString(c, i);
    if (isSpace(c)) return;
    if (c === QUOTE) {
      this.inStr = true;
      this.tok = '"';
      this.afterStr = false;
      this.afterKey = false;
      return;
    }
    if (c === COLON && this.afterStr && this.depth === 1) {
      this.afterStr = false;
      this.afterKey = true;
      return;
    }
    if (c === OPEN_BRACKET && this.afterKey && this.depth === 1 && this.isEntriesKey())
      return this.openEntries(i);
    this.afterStr = false;
    this.afterKey = false;
    if (opens(c)) this.depth += 1;
    else if (closes(c)) this.depth -= 1;
  }

  private headString(c: number, i: number): void {
    if (this.depth === 1 && this.tok.length < 80) this.tok += this.chunk[i];
    if (this.esc) this.esc = false;
    else if (c === BACKSLASH) this.esc = true;
    else if (c === QUOTE) {
      this.inStr = false;
      if (this.depth === 1) {
        this.key = this.tok;
        this.afterStr = true;
      }
    }
  }

  private isEntriesKey(): boolean {
    if (this.seenEntries || this.key === undefined) return false;
    try {
      return JSON.parse(this.key) === "entries";
    } catch {
      return false;
    }
  }

  /** The '[' of "entries" at `i`: the head keeps an empty array in its place. */
  private openEntries(i: number): void {
    this.seenEntries = true;
    this.afterKey = false;
    this.headParts.push(this.chunk.slice(this.seg, i), "[]");
    this.seg = i + 1;
    this.mode = Mode.Between;
    this.hadElem = false;
    this.afterComma = false;
  }

  /** Between elements: whitespace, ',' or the closing ']'; anything else starts an element. */
  private between(c: number, i: number): void {
    if (isSpace(c)) return;
    if (c === CLOSE_BRACKET) {
      if (this.afterComma) return this.fail("a trailing comma in the entries array");
      this.mode = Mode.Head;
      this.seg = i + 1;
      return;
    }
    if (c === COMMA) {
      if (!this.hadElem || this.afterComma)
        return this.fail("a misplaced comma in the entries array");
      this.afterComma = true;
      return;
    }
    if (this.hadElem && !this.afterComma) return this.fail("a missing comma in the entries array");
    this.mode = Mode.Element;
    this.seg = i;
    this.esc = false;
    this.elemKind = opens(c) ? "nest" : c === QUOTE ? "str" : "prim";
    this.inStr = this.elemKind === "str";
    this.elemDepth = this.elemKind === "nest" ? 1 : 0;
  }

  /** Inside an element; true when `c` ended a primitive and must be read again between elements. */
  private inElement(c: number, i: number): boolean {
    if (this.inStr) {
      this.elementString(c, i);
      return false;
    }
    if (this.elemKind === "prim") {
      if (c !== COMMA && c !== CLOSE_BRACKET && !isSpace(c)) return false;
      this.endElement(i);
      return true;
    }
    if (c === QUOTE) this.inStr = true;
    else if (opens(c)) this.elemDepth += 1;
    else if (closes(c)) {
      this.elemDepth -= 1;
      if (this.elemDepth === 0) this.endElement(i + 1);
    }
    return false;
  }

  private elementString(c: number, i: number): void {
    if (this.esc) this.esc = false;
    else if (c === BACKSLASH) this.esc = true;
    else if (c === QUOTE) {
      this.inStr = false;
      if (this.elemKind === "str") this.endElement(i + 1);
    }
  }

  /** The element's text ends before `end` in the current chunk. */
  private endElement(end: number): void {
    this.elem.push(this.chunk.slice(this.seg, end));
    this.seg = end;
    this.finishElement();
  }

  private finishElement(): void {
    const text = this.elem.join("");
    this.elem = [];
    this.mode = Mode.Between;
    this.hadElem = true;
    this.afterComma = false;
    try {
      this.out.push(JSON.parse(text));
    } catch (error) {
      this.fail((error as Error).message);
    }
  }

  private fail(why: string): void {
    this.syntaxError ??= why;
    this.mode = Mode.Dead;
  }
}
