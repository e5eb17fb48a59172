// age encryption as an ArchiveSink layer (sink.ts): what is written to `input` (the gzip stream)
// leaves encrypted to the inner sink (a file, split parts, …), streamed in age's 64 KiB chunks
// with back-pressure. The `age-encryption` package (by age's author) does the cryptography and
// the format; the backup host needs only the recipients' public keys.
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Encrypter } from "age-encryption";
import type { AgeEncryptKeys } from "./age-keys.js";
import type { ArchiveSink } from "./sink.js";

/** A pull-driven web stream over a Node stream: nothing is read ahead of what is consumed. */
export function webStreamOf(source: Readable): ReadableStream<Uint8Array> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        const n = await it.next();
        if (n.done) c.close();
        else c.enqueue(n.value);
      },
      cancel() {
        source.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

/** The chunks of a web stream as Buffers (a view, no copy). */
export async function* buffersOf(s: ReadableStream<Uint8Array>): AsyncGenerator<Buffer> {
  for await (const c of s as unknown as AsyncIterable<Uint8Array>)
    yield Buffer.from(c.buffer, c.byteOffset, c.byteLength);
}

/**
 * `onFileKey` receives the file's random key (recipients only: a passphrase file is wrapped by
 * scrypt alone), so --verify can read back what was written without the private identity.
 */
export function encrypter(keys: AgeEncryptKeys, onFileKey?: (key: Uint8Array) => void): Encrypter {
  const e = new Encrypter();
  if (keys.kind === "passphrase") e.setPassphrase(keys.passphrase);
  else for (const r of keys.recipients) e.addRecipient(r);
  if (keys.kind === "recipients" && onFileKey) {
    // A recipient that wraps nothing (no stanza in the header): it only sees the key.
    e.addRecipient({ wrapFileKey: (k: Uint8Array) => (onFileKey(k), []) });
  }
  return e;
}

/** age encryption in front of `inner`. */
export function encrypted(
  inner: ArchiveSink,
  keys: AgeEncryptKeys,
  onFileKey?: (key: Uint8Array) => void,
): ArchiveSink {
  const input = new PassThrough({ highWaterMark: 1 << 20 });
  const piped = (async () => {
    const out = await encrypter(keys, onFileKey).encrypt(webStreamOf(input));
    await pipeline(buffersOf(out), inner.input);
  })();
  piped.catch((error: unknown) => input.destroy(error as Error)); // writers upstream stop at once
  return {
    input,
    get writeError() {
      return inner.writeError;
    },
    async done() {
      await piped;
      return inner.done();
    },
    commit: () => inner.commit(),
    async discard() {
      input.destroy();
      await piped.catch(() => undefined);
      await inner.discard();
    },
  };
}
