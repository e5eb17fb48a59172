// `workspace-restore -i --list FILE`: the entries like `tar tv`, printed as they are read. Under
// --json they are spooled to a file first, so that a damaged archive yields one error document
// rather than half a listing followed by an error.
import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Ctx } from "../cli/context.js";
import type { ArchiveSource } from "../archive/read/source.js";
import { formatBytes } from "../fsx/walk.js";
import { listArchive, listLine, type ListedEntry } from "../restore/list.js";

async function* spooled(file: string): AsyncGenerator<unknown> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) if (line !== "") yield JSON.parse(line) as unknown;
}

export async function listArchiveEntries(
  ctx: Ctx,
  source: ArchiveSource,
  workDir: string,
): Promise<number> {
  const head = {
    ok: true,
    file: source.file,
    parts: source.parts.length,
    bytes: source.bytes,
    compressed: source.gzip,
  };
  if (!ctx.opts.json) {
    const count = await listArchive(source, (e) => ctx.out.essential(listLine(e)), ctx.rt.signal);
    ctx.out.info(`${count} entries in ${source.file} (${formatBytes(source.bytes)})`);
    return 0;
  }
  const file = path.join(workDir, "list.jsonl");
  const sink = createWriteStream(file, { mode: 0o600 });
  let count = 0;
  try {
    await listArchive(
      source,
      async (e: ListedEntry) => {
        count += 1;
        if (!sink.write(`${JSON.stringify(e)}\n`)) await once(sink, "drain");
      },
      ctx.rt.signal,
    );
  } finally {
    sink.end();
    await once(sink, "close");
  }
  await ctx.out.streamDocument({ ...head, count }, "entries", spooled(file));
  return 0;
}
