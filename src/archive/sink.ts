// Where backup writes an archive: an ArchiveSink takes the tar stream and keeps it out of sight
// until commit(). Layers wrap a sink (gzip here; encryption next) and destinations end the chain
// (files and split parts: file-sink.ts; an S3 object: s3-sink.ts), so each plugs in at one place:
// openArchiveSink().
import { pipeline } from "node:stream/promises";
import type { Writable } from "node:stream";
import { FileSink } from "./file-sink.js";
import { ParallelGzip } from "./parallel-gzip.js";
import { S3Sink, type S3SinkOptions } from "./s3-sink.js";

export interface WrittenFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface SinkResult {
  files: WrittenFile[];
  /** Total bytes and SHA-256 of the whole archive (the concatenation of the parts). */
  bytes: number;
  sha256: string;
}

export interface ArchiveSink {
  /** Write the archive here (destroy it to abort a write waiting for 'drain'). */
  readonly input: Writable;
  /** Why storing the archive failed, if it did (streams upstream only see "destroyed"). */
  readonly writeError: Error | undefined;
  /** Resolves once everything written to `input` is stored (still under temporary names). */
  done(): Promise<SinkResult>;
  /** Makes the archive visible under its final name, replacing an older one. */
  commit(): Promise<void>;
  /** Stops writing and removes what was stored (after a failure or an interruption). */
  discard(): Promise<void>;
}

export interface SinkOptions {
  /** Final path of the archive (split parts are "<finalPath>.00", ".01", …); an s3:// URL for S3. */
  finalPath: string;
  gzip: boolean;
  /** Split into parts of at most this many bytes. */
  partBytes?: number | undefined;
  /** The location is an object in S3-compatible storage (s3-sink.ts), not a file. */
  s3?: S3SinkOptions | undefined;
}

/** The sink a backup writes into: gzip (optional) in front of the destination. */
export function openArchiveSink(o: SinkOptions): ArchiveSink {
  const files = openDestination(o);
  return o.gzip ? gzipped(files) : files;
}

/** Where the bytes end: an object store upload, or a file (or split parts). */
function openDestination(o: SinkOptions): ArchiveSink {
  if (o.s3) return new S3Sink(o.s3);
  return new FileSink({ finalPath: o.finalPath, partBytes: o.partBytes });
}

/** gzip on every core (parallel-gzip.ts) in front of `inner`. */
function gzipped(inner: ArchiveSink): ArchiveSink {
  const gz = new ParallelGzip(6);
  const piped = pipeline(gz, inner.input);
  piped.catch(() => undefined); // observed by done(); avoid an unhandled rejection meanwhile
  return {
    input: gz,
    get writeError() {
      return inner.writeError;
    },
    async done() {
      await piped;
      return inner.done();
    },
    commit: () => inner.commit(),
    async discard() {
      gz.destroy();
      await piped.catch(() => undefined);
      await inner.discard();
    },
  };
}
