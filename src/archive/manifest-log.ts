// Writing the manifest: the entries are spooled to a file while the archive is written (a
// workspace may hold millions of files), then the manifest is streamed from it.
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import type { Manifest, ManifestEntry } from "./manifest.js";

/**
 * Manifest entries spooled to a file, one compact JSON object per line, already in the form they
 * take inside the manifest's "entries" array; `manifest()` returns the manifest's size and a
 * stream of its bytes (the other fields pretty-printed: JSON.stringify(…, null, 2)).
 */
export class ManifestEntryLog {
  private readonly out: WriteStream;
  private count = 0;
  private closed = false;
  /** Records not yet written: one write per 64 KiB rather than one per entry. */
  private pending = "";

  constructor(readonly file: string) {
    this.out = createWriteStream(file, { flags: "wx", mode: 0o600 });
    this.out.on("error", () => undefined); // reported by close()
  }

  readonly record = (e: ManifestEntry): void => {
    if (this.closed) return; // the manifest's own entry: it does not list itself
    this.pending += `${this.count === 0 ? "" : ",\n"}    ${JSON.stringify(e)}`;
    this.count += 1;
    if (this.pending.length >= 65536) this.flush();
  };

  private flush(): void {
    if (this.pending === "") return;
    this.out.write(this.pending);
    this.pending = "";
  }

  async manifest(m: Omit<Manifest, "entries">): Promise<{ size: number; stream: Readable }> {
    this.closed = true;
    this.flush();
    await new Promise<void>((resolve, reject) => {
      this.out.once("error", reject);
      this.out.end(() => resolve());
    });
    const full = JSON.stringify({ ...m, entries: [] }, null, 2);
    const cut = full.lastIndexOf("[]");
    const head = Buffer.from(`${full.slice(0, cut)}[\n`, "utf8");
    const tail = Buffer.from(`\n  ]${full.slice(cut + 2)}\n`, "utf8");
    const body = (await stat(this.file)).size;
    const file = this.file;
    async function* parts(): AsyncGenerator<Buffer> {
      yield head;
      for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }))
        yield chunk as Buffer;
      yield tail;
    }
    return { size: head.length + body + tail.length, stream: Readable.from(parts()) };
  }
}
