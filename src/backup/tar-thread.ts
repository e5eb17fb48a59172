// Runs a TarJob (site files, or a staged dump) on a worker thread (tar-worker.ts) and writes its
// batches into the archive in order. The main thread only writes blocks and records manifest
// entries, so the dump streaming beside it is never held up by the walk's system calls, and
// reading and hashing happen on another core.
import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { interrupted } from "../errors.js";
import type { ManifestEntry } from "../archive/manifest.js";
import type { TarWriter } from "../archive/tar-writer.js";
import type { SiteFilesResult, TarJob } from "./site-tar.js";
import type { WorkerMessage } from "./tar-worker.js";

/** Batches (of about 1 MiB) written or waiting to be: bounds the memory the worker may fill. */
const CREDITS = 6;

/** Why the worker's job failed: the caller turns it into its own error. */
export class TarJobFailure extends Error {
  constructor(
    message: string,
    readonly unreadable: string | undefined,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

function workerUrl(): URL {
  const here = import.meta.url;
  // Under vitest this module runs from its TypeScript source, and a worker needs JavaScript: the
  // build's copy then (`npm test` builds first).
  if (!here.endsWith(".ts")) return new URL("./tar-worker.js", here);
  const built = new URL("../../dist/backup/tar-worker.js", here);
  if (!existsSync(built)) throw new Error(`${built.pathname} is missing: run npm run build first`);
  return built;
}

export interface JobOptions {
  signal: AbortSignal;
  /** Content bytes of the files completed in each batch written. */
  onBatch?: (fileBytes: number) => void;
}

/**
 * Runs `job` on a worker thread, its tar bytes written through `tar.addRaw` in order. Resolves
 * with the tree's result (or the file's size) once every batch is written.
 */
export function runTarJob(
  tar: TarWriter,
  job: TarJob,
  o: JobOptions,
): Promise<{ result: SiteFilesResult; size: number }> {
  const control = new SharedArrayBuffer(8);
  const flags = new Int32Array(control);
  Atomics.store(flags, 0, CREDITS);
  const worker = new Worker(workerUrl(), { workerData: { job, control } });
  let chain: Promise<void> = Promise.resolve();
  let settled = false;
  return new Promise<{ result: SiteFilesResult; size: number }>((resolve, reject) => {
    const finish = (
      error: Error | undefined,
      value?: { result: SiteFilesResult; size: number },
    ): void => {
      if (settled) return;
      settled = true;
      Atomics.store(flags, 1, 1);
      Atomics.notify(flags, 0);
      o.signal.removeEventListener("abort", onAbort);
      void worker.terminate();
      if (value) resolve(value);
      else reject(error ?? new Error("the archiving thread failed"));
    };
    const onAbort = (): void => finish(interrupted());
    if (o.signal.aborted) return onAbort();
    o.signal.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (m: WorkerMessage) => {
      chain = chain
        .then(() => (settled ? undefined : handle(m)))
        .catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
    });
    worker.on("error", (e) => finish(e));
    worker.on("exit", () => {
      void chain.then(() => finish(new Error("the archiving thread ended early")));
    });
    const handle = async (m: WorkerMessage): Promise<void> => {
      if (m.type === "batch") {
        const data = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
        const entries =
          m.records === "" ? [] : m.records.split("\n").map((l) => JSON.parse(l) as ManifestEntry);
        await tar.addRaw(data, entries);
        o.onBatch?.(m.fileBytes);
        Atomics.add(flags, 0, 1);
        Atomics.notify(flags, 0);
      } else if (m.type === "done") {
        finish(undefined, { result: m.result, size: m.size });
      } else {
        finish(m.stopped ? interrupted() : new TarJobFailure(m.message, m.unreadable, m.code));
      }
    };
  });
}
