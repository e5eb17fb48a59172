// Streaming through a tar (optionally gzip) archive with node-tar's parser, one entry at a time:
// the handler of an entry finishes before the next one starts, and back-pressure flows from the
// handler's sink to the file. A truncated or corrupt archive rejects with RESTORE.CORRUPT.
import { createHash } from "node:crypto";
import { Parser, type ReadEntry } from "tar";
import { failure, interrupted } from "../errors.js";
import { openArchive, type ArchiveSource } from "./archive-source.js";
import { gunzipChecked, TarEndGuard } from "./tar-stream.js";
import type { RawEntry } from "./layout.js";

export type EntryHandler = (header: RawEntry, entry: ReadEntry) => Promise<void>;

function corrupt(src: ArchiveSource, why: string): Error {
  return failure(
    "RESTORE.CORRUPT",
    `The backup ${src.file} is truncated or corrupt (${why}); nothing was restored.`,
    {
      hint: "Copy the backup again (check its size against the original), or use another backup.",
    },
  );
}

export function headerOf(e: ReadEntry): RawEntry {
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

export async function readArchive(
  src: ArchiveSource,
  handler: EntryHandler,
  signal?: AbortSignal,
): Promise<number> {
  const raw = openArchive(src);
  const tar = src.gzip ? gunzipChecked(raw) : raw;
  const guard = new TarEndGuard();
  const parser = new Parser({ strict: true });
  let count = 0;
  let chain: Promise<void> = Promise.resolve();
  let failed: unknown;
  /** The entry a handler is reading: destroyed on failure, so the handler stops waiting for it. */
  let current: ReadEntry | undefined;
  const stop = (): void => {
    raw.destroy();
    tar.destroy();
    guard.destroy();
    current?.destroy();
  };
  const done = new Promise<void>((resolve, reject) => {
    const fail = (error: unknown): void => {
      if (failed !== undefined) return;
      failed = error;
      stop();
      if (signal?.aborted) {
        reject(interrupted());
        return;
      }
      reject(
        error instanceof Error &&
          "code" in error &&
          String((error as { code: unknown }).code).startsWith("RESTORE")
          ? error
          : corrupt(src, describe(error)),
      );
    };
    parser.on("entry", (e: ReadEntry) => {
      count += 1;
      const header = headerOf(e);
      chain = chain.then(async () => {
        if (failed !== undefined) {
          e.resume();
          return;
        }
        current = e;
        await handler(header, e);
        current = undefined;
      });
      chain.catch((error: unknown) => {
        e.resume();
        if (failed === undefined) {
          failed = error;
          stop();
          reject(
            signal?.aborted
              ? interrupted()
              : error instanceof Error
                ? error
                : new Error(String(error)),
          );
        }
      });
    });
    parser.on("warn", (code: string, message: string | Error) =>
      fail(new Error(`${code}: ${String(message)}`)),
    );
    parser.on("error", fail);
    // GNU tar, Archive_Tar and pmadmin end the archive with zero blocks. Without them the archive
    // was cut at an entry boundary: every entry parses, but the last ones (pmadmin's manifest
    // among them) are missing, and the archive would pass as a shorter one.
    let sawEnd = false;
    parser.on("nullBlock", () => (sawEnd = true));
    parser.on("end", () => {
      chain.then(
        () =>
          sawEnd || failed !== undefined
            ? resolve()
            : fail(new Error("it ends without tar's end-of-archive blocks")),
        reject,
      );
    });
    raw.on("error", fail);
    tar.on("error", fail);
    guard.on("error", fail);
    if (signal?.aborted) fail(signal.reason);
    signal?.addEventListener("abort", () => fail(signal.reason), { once: true });
  });
  tar.pipe(guard).pipe(parser);
  try {
    await done;
  } catch (error) {
    // A handler may still be busy (a dump loading, a file being written): let it stop so the
    // caller's cleanup does not run behind it. Its entry was destroyed, so it fails at once; the
    // bound keeps a stuck handler from hanging the failure path (a referenced timer: with an
    // unreferenced one, a stuck handler let the event loop drain and the process exit mid-way).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      chain.catch(() => undefined),
      new Promise((r) => (timer = setTimeout(r, 10_000))),
    ]);
    clearTimeout(timer);
    throw error;
  }
  if (count === 0) throw corrupt(src, "no entries");
  return count;
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.message ?? String(error);
}

/** Reads a small entry (meta, manifest) into a string; refuses absurd sizes. */
export async function entryText(e: ReadEntry, limit = 4 * 1024 * 1024): Promise<string> {
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

/** Consumes an entry and returns its SHA-256 (hex). */
export async function entryHash(e: ReadEntry): Promise<string> {
  const h = createHash("sha256");
  for await (const c of e) h.update(c);
  return h.digest("hex");
}
