// One layer of an ArchiveSink chain (sink.ts): a transform (gzip, age) whose output goes to the
// inner sink. done() waits for the layer and then the inner sink; discard() stops the layer first
// so nothing more reaches the inner sink before it removes what it stored.
import type { Duplex } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ArchiveSink } from "./sink.js";

export function layered(transform: Duplex, inner: ArchiveSink): ArchiveSink {
  const piped = pipeline(transform, inner.input);
  piped.catch(() => undefined); // observed by done(); avoid an unhandled rejection meanwhile
  return {
    input: transform,
    get writeError() {
      return inner.writeError;
    },
    async done() {
      await piped;
      return inner.done();
    },
    commit: () => inner.commit(),
    async discard() {
      transform.destroy();
      await piped.catch(() => undefined);
      await inner.discard();
    },
  };
}
