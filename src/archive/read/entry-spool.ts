// Pass 1's entry records spooled to a file (one compact JSON array per line) instead of held in
// memory: a workspace may hold a million entries. Read back in archive order as often as needed.
import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import type { RawEntry } from "./entry.js";

/** Where pass 1's entries are: an array (tests, small archives) or a spool file. */
export type EntrySource = Iterable<RawEntry> | AsyncIterable<RawEntry>;

type Rec = [string, string, number, number, number | null, string | null, string | null];

const FLUSH = 256 * 1024;

export class EntrySpoolWriter {
  private readonly fd: number;
  private buf = "";
  count = 0;

  constructor(readonly file: string) {
    this.fd = openSync(file, "wx", 0o600);
  }

  add(e: RawEntry): void {
    const r: Rec = [
      e.path,
      e.type,
      e.size,
      e.mode,
      e.mtime ?? null,
      e.linkpath ?? null,
      e.sha256 ?? null,
    ];
    this.buf += `${JSON.stringify(r)}\n`;
    this.count += 1;
    if (this.buf.length >= FLUSH) this.flush();
  }

  private flush(): void {
    const b = Buffer.from(this.buf, "utf8");
    this.buf = "";
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off);
  }

  close(): EntrySpool {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
    return new EntrySpool(this.file, this.count);
  }
}

export class EntrySpool implements AsyncIterable<RawEntry> {
  constructor(
    readonly file: string,
    readonly count: number,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<RawEntry> {
    for await (const line of readLines(this.file)) {
      const r = JSON.parse(line) as Rec;
      yield {
        path: r[0],
        type: r[1],
        size: r[2],
        mode: r[3],
        mtime: r[4] ?? undefined,
        linkpath: r[5] ?? undefined,
        sha256: r[6] ?? undefined,
      };
    }
  }
}

/**
 * The non-empty lines of a file, read as they are consumed. (readline's async iterator reads
 * ahead of a slow consumer without bound: pass 2 would end up holding the whole spool.)
 */
export async function* readLines(file: string): AsyncGenerator<string> {
  const input = createReadStream(file, { highWaterMark: 256 * 1024 });
  const decoder = new StringDecoder("utf8");
  let rest = "";
  try {
    for await (const chunk of input) {
      const text = rest + decoder.write(chunk as Buffer);
      let start = 0;
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
        if (nl > start) yield text.slice(start, nl);
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    rest += decoder.end();
    if (rest !== "") yield rest;
  } finally {
    input.destroy();
  }
}

/** Pulls entries one at a time (pass 2 walks the spool in lockstep with the archive). */
export function entryCursor(src: EntrySource): {
  next(): Promise<RawEntry | undefined>;
  close(): Promise<void>;
} {
  const it: Iterator<RawEntry> | AsyncIterator<RawEntry> =
    Symbol.asyncIterator in src
      ? (src as AsyncIterable<RawEntry>)[Symbol.asyncIterator]()
      : (src as Iterable<RawEntry>)[Symbol.iterator]();
  return {
    async next() {
      const r = await it.next();
      return r.done ? undefined : r.value;
    },
    async close() {
      await it.return?.();
    },
  };
}
