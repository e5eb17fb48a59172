// The worker thread of tar-thread.ts: runs one TarJob with synchronous file-system calls (as GNU
// tar does; here they block no one) and posts each batch of tar bytes, its buffer transferred, not
// copied. It waits for a credit before each post, so at most CREDITS batches are in flight and
// memory stays flat however fast the disk is; the main thread returns a credit per batch written.
import { parentPort, workerData } from "node:worker_threads";
import { realSiteFs } from "./site-fs.js";
import {
  emptyResult,
  fileBatches,
  Stopped,
  treeBatches,
  UnreadableEntry,
  type TarBatch,
  type TarJob,
} from "./site-tar.js";

export type WorkerMessage =
  /** `records`: the batch's manifest records as JSON, one per line (far cheaper to post). */
  | { type: "batch"; data: Uint8Array; records: string; fileBytes: number }
  | { type: "done"; result: ReturnType<typeof emptyResult>; size: number }
  | { type: "failed"; stopped: boolean; unreadable?: string; message: string; code?: string };

const { job, control } = workerData as { job: TarJob; control: SharedArrayBuffer };
/** [0]: credits (batches the main thread will take now), [1]: stop flag. */
const flags = new Int32Array(control);
const stopped = (): boolean => Atomics.load(flags, 1) !== 0;
const port = parentPort;

function takeCredit(): void {
  for (;;) {
    const c = Atomics.load(flags, 0);
    if (stopped()) throw new Stopped();
    if (c > 0 && Atomics.compareExchange(flags, 0, c, c - 1) === c) return;
    if (c <= 0) Atomics.wait(flags, 0, c, 250);
  }
}

function post(b: TarBatch): void {
  takeCredit();
  const msg: WorkerMessage = {
    type: "batch",
    data: b.data,
    records: b.entries.map((e) => JSON.stringify(e)).join("\n"),
    fileBytes: b.fileBytes,
  };
  port?.postMessage(msg, [b.data.buffer as ArrayBuffer]);
}

function run(): void {
  const result = emptyResult();
  const out = { size: 0 };
  const batches =
    job.kind === "tree"
      ? treeBatches(realSiteFs, job, result, stopped)
      : fileBatches(realSiteFs, job, out);
  for (const b of batches) post(b);
  const done: WorkerMessage = { type: "done", result, size: out.size };
  port?.postMessage(done);
}

try {
  run();
} catch (error) {
  const failed: WorkerMessage = {
    type: "failed",
    stopped: error instanceof Stopped,
    message: error instanceof Error ? error.message : String(error),
  };
  if (error instanceof UnreadableEntry) failed.unreadable = error.abs;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") failed.code = code;
  port?.postMessage(failed);
}
