// Streaming through a tar (optionally gzip) archive with node-tar's parser, one entry at a time:
// the handler of an entry finishes before the next one starts, and back-pressure flows from the
// handler's sink to the file. A truncated or corrupt archive rejects with RESTORE.CORRUPT.
import { Parser, type ReadEntry } from "tar";
import { failure, interrupted, isPmError } from "../../errors.js";
import type { ArchiveSource } from "./source.js";
import { gunzipChecked, TarEndGuard } from "./tar-stream.js";
import type { RawEntry } from "./entry.js";

/** An entry's content, as a handler reads it (node-tar's entry stream). */
export type EntryStream = ReadEntry;
export type EntryHandler = (header: RawEntry, entry: EntryStream) => Promise<void>;

function corrupt(src: ArchiveSource, why: string): Error {
  return failure(
    "RESTORE.CORRUPT",
    `The backup ${src.file} is truncated or corrupt (${why}); nothing was restored.`,
    {
      hint: "Copy the backup again (check its size against the original), or use another backup.",
    },
  );
}

function headerOf(e: ReadEntry): RawEntry {
  return {
    path: e.path,
    type: e.type,
    size: e.size ?? 0,
    mode: (e.mode ?? 0o644) & 0o7777,
    mtime: e.mtime ? e.mtime.getTime() : undefined,
    linkpath: e.linkpath || undefined,
    sha256: undefined,
  };
}

/** One pass over an archive: entries go to the handler one at a time; the first failure stops it. */
class Pass {
  count = 0;
  /** The handlers, run one after another in archive order. */
  chain: Promise<void> = Promise.resolve();
  private failed: unknown;
  /** The entry a handler is reading: destroyed on failure, so the handler stops waiting for it. */
  private current: ReadEntry | undefined;
  private resolve: () => void = () => undefined;
  private reject: (error: unknown) => void = () => undefined;
  readonly done = new Promise<void>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });

  constructor(
    private readonly src: ArchiveSource,
    private readonly handler: EntryHandler,
    private readonly signal: AbortSignal | undefined,
    private readonly streams: ReadonlyArray<{ destroy(): void }>,
  ) {}

  private stop(): void {
    for (const s of this.streams) s.destroy();
    this.current?.destroy();
  }

  /** The archive's bytes or structure failed (or the run was interrupted). */
  readonly fail = (error: unknown): void => {
    if (this.failed !== undefined) return;
    this.failed = error;
    this.stop();
    if (this.signal?.aborted) {
      this.reject(interrupted());
      return;
    }
    // A typed error says what went wrong itself: the archive's own checks (RESTORE.*) or the
    // store it is read from (S3.UNREACHABLE is not a corrupt archive). The rest is corruption.
    this.reject(isPmError(error) ? error : corrupt(this.src, describe(error)));
  };

  readonly entry = (e: ReadEntry): void => {
    this.count += 1;
    const header = headerOf(e);
    this.chain = this.chain.then(async () => {
      if (this.failed !== undefined) {
        e.resume();
        return;
      }
      this.current = e;
      await this.handler(header, e);
      this.current = undefined;
    });
    this.chain.catch((error: unknown) => {
      e.resume();
      if (this.failed !== undefined) return;
      this.failed = error;
      this.stop();
      this.reject(
        this.signal?.aborted
          ? interrupted()
          : error instanceof Error
            ? error
            : new Error(String(error)),
      );
    });
  };

  /** The parser ended: done once the handlers are, if tar's end-of-archive blocks were seen. */
  end(sawEnd: boolean): void {
    this.chain.then(
      () =>
        sawEnd || this.failed !== undefined
          ? this.resolve()
          : this.fail(new Error("it ends without tar's end-of-archive blocks")),
      this.reject,
    );
  }
}

/**
 * Reads the archive from `src` to its end, calling `handler` for each entry in order; returns the
 * number of entries. Rejects with the handler's error, RESTORE.CORRUPT, or INTERRUPTED.
 */
export async function readArchive(
  src: ArchiveSource,
  handler: EntryHandler,
  signal?: AbortSignal,
): Promise<number> {
  const raw = src.open();
  const tar = src.gzip ? gunzipChecked(raw) : raw;
  const guard = new TarEndGuard();
  const parser = new Parser({ strict: true });
  const pass = new Pass(src, handler, signal, [raw, tar, guard]);
  parser.on("entry", pass.entry);
  parser.on("warn", (code: string, message: string | Error) =>
    pass.fail(new Error(`${code}: ${String(message)}`)),
  );
  parser.on("error", pass.fail);
  // GNU tar, Archive_Tar and pmadmin end the archive with zero blocks. Without them the archive
  // was cut at an entry boundary: every entry parses, but the last ones (pmadmin's manifest
  // among them) are missing, and the archive would pass as a shorter one.
  let sawEnd = false;
  parser.on("nullBlock", () => (sawEnd = true));
  parser.on("end", () => pass.end(sawEnd));
  raw.on("error", pass.fail);
  tar.on("error", pass.fail);
  guard.on("error", pass.fail);
  if (signal?.aborted) pass.fail(signal.reason);
  signal?.addEventListener("abort", () => pass.fail(signal.reason), { once: true });
  tar.pipe(guard).pipe(parser);
  try {
    await pass.done;
  } catch (error) {
    // A handler may still be busy (a dump loading, a file being written): let it stop so the
    // caller's cleanup does not run behind it. Its entry was destroyed, so it fails at once; the
    // bound keeps a stuck handler from hanging the failure path (a referenced timer: with an
    // unreferenced one, a stuck handler let the event loop drain and the process exit mid-way).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      pass.chain.catch(() => undefined),
      new Promise((r) => (timer = setTimeout(r, 10_000))),
    ]);
    clearTimeout(timer);
    throw error;
  }
  if (pass.count === 0) throw corrupt(src, "no entries");
  return pass.count;
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.message ?? String(error);
}

/** Reads a small entry (meta, manifest) into a string; refuses absurd sizes. */
export async function entryText(e: EntryStream, limit = 4 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of e) {
    const b = c;
    n += b.length;
    if (n > limit)
      throw failure("RESTORE.CORRUPT", `The archive entry ${e.path} is too large for metadata.`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}
