// Dumping one database with mariadb-dump/mysqldump into a private temporary file, as the
// workspace's own user, in one consistent snapshot (--single-transaction), with triggers,
// routines and events. The password reaches the child only through an option file.
//
// Comments stay on (unlike ProcessMaker's --skip-comments) because the "-- Dump completed" line is
// the only sign that the dump reached its end; together with exit status 0, a clean stderr and
// every table/view/trigger of the inventory present, it is what makes a dump count as done.
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createWriteStream } from "node:fs";
import { failure } from "../errors.js";
import { describeWriteFailure } from "../fsx/errno.js";
import { runProgram, spawnStreaming, tail } from "../exec/run.js";
import { writeOptionFile } from "../exec/option-file.js";
import { tempWriteFailure } from "./write-failure.js";
import type { DbEndpoint } from "../install/db-php.js";
import { DumpScanner, isSandboxLine, type DumpSummary } from "./dump-scanner.js";
import type { DatabaseInventory } from "./inspect.js";

/** The character set the dump is written in (and recorded in the manifest). */
export const DUMP_CHARSET = "utf8mb4";

export interface DumpResult {
  file: string;
  bytes: number;
  summary: DumpSummary;
}

export async function dumpProgramVersion(program: string): Promise<string> {
  try {
    return (await runProgram(program, ["--version"], { timeoutMs: 10_000 })).stdout
      .trim()
      .replace(/\s+/g, " ");
  } catch {
    return program;
  }
}

/** Drops the first line when it is MariaDB's sandbox-mode comment; passes everything else on. */
function firstLineFilter(
  scanner: DumpScanner,
  onBytes: (n: number) => void,
): Transform & { bytes: number } {
  let held: Buffer | undefined = Buffer.alloc(0);
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      let out = chunk;
      if (held !== undefined) {
        const joined = Buffer.concat([held, chunk]);
        const nl = joined.indexOf(0x0a);
        if (nl < 0 && joined.length < 4096) {
          held = joined;
          return cb();
        }
        held = undefined;
        const first = joined.subarray(0, nl < 0 ? joined.length : nl).toString("utf8");
        out = isSandboxLine(first) ? joined.subarray(nl + 1) : joined;
      }
      scanner.push(out);
      t.bytes += out.length;
      onBytes(out.length);
      cb(null, out);
    },
    flush(cb) {
      if (held !== undefined && held.length > 0) {
        const first = held.toString("utf8");
        const out = isSandboxLine(first) ? Buffer.alloc(0) : held;
        scanner.push(out);
        t.bytes += out.length;
        return cb(null, out);
      }
      cb();
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

/** Lines of mariadb-dump's stderr that are not problems (program-name deprecation notices). */
function meaningfulStderr(stderr: string): string {
  return stderr
    .split("\n")
    .filter((l) => l.trim() !== "" && !/Deprecated program name/i.test(l))
    .join("\n");
}

export async function dumpDatabase(o: {
  program: string;
  endpoint: DbEndpoint;
  inventory: DatabaseInventory;
  outFile: string;
  /** The backup's final path, for messages. */
  target: string;
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
  onBytes?: (n: number) => void;
  onWarning?: (text: string) => void;
}): Promise<DumpResult> {
  const db = o.endpoint.name;
  // Socket or TCP: writeOptionFile decides as mysql2 does (src/db/connection-target.ts).
  const opt = await writeOptionFile(o.endpoint, o.env).catch((e: unknown) => {
    throw tempWriteFailure(o.target, e);
  });
  try {
    const args = [
      `--defaults-extra-file=${opt.path}`, // must come first
      "--single-transaction",
      "--quick",
      "--triggers",
      "--routines",
      "--events",
      "--no-tablespaces",
      `--default-character-set=${DUMP_CHARSET}`,
      db,
    ];
    const child = spawnStreaming(o.program, args, { signal: o.signal });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      if (stderr.length < 65536) stderr += d.toString("utf8");
    });
    const scanner = new DumpScanner();
    const filter = firstLineFilter(scanner, o.onBytes ?? (() => undefined));
    const written = pipeline(
      child.stdout,
      filter,
      createWriteStream(o.outFile, { flags: "wx", mode: 0o600 }),
    );
    const [io, result] = await Promise.allSettled([written, child]);
    if (o.signal.aborted) throw o.signal.reason ?? new Error("interrupted");
    const problems = checkDumpRun(o, io, result, stderr);
    if (problems !== "") o.onWarning?.(`${o.program} (${db}): ${tail(problems)}`);
    const summary = scanner.result();
    checkComplete(db, summary, o.inventory);
    return { file: o.outFile, bytes: filter.bytes, summary };
  } finally {
    await opt.dispose();
  }
}

/**
 * The dump run's failure, if it failed: its output not written, the program's exit, or errors
 * on its stderr. Returns its other stderr lines (warnings) otherwise.
 */
function checkDumpRun(
  o: { program: string; endpoint: DbEndpoint; outFile: string },
  io: PromiseSettledResult<unknown>,
  result: PromiseSettledResult<{ exitCode?: number | undefined; signal?: string | undefined }>,
  stderr: string,
): string {
  const db = o.endpoint.name;
  const r = result.status === "fulfilled" ? result.value : undefined;
  // A failed write (disk full) comes first: the dump program then dies of the closed pipe
  // ("Got errno 32 on write"), which would blame the database for a full disk.
  if (io.status === "rejected") {
    throw failure(
      "BACKUP.DUMP_WRITE",
      `Cannot write the dump of ${db} to ${o.outFile}: ${describeWriteFailure(io.reason)}`,
      {
        hint: "Free space in the backup directory (the dump is staged there before it is archived).",
      },
    );
  }
  const problems = meaningfulStderr(stderr);
  if (!r || r.exitCode !== 0) {
    const why = r?.signal
      ? `was killed by ${r.signal}`
      : `exited with status ${r?.exitCode ?? "?"}`;
    throw failure(
      "BACKUP.DUMP_FAILED",
      `Dumping database ${db} failed: ${o.program} ${why}: ${tail(problems || "(no message)")}`,
      {
        hint: "Check the database credentials in db.php and that the server is up; the message above is the server's or the dump program's.",
      },
    );
  }
  if (/error/i.test(problems)) {
    throw failure(
      "BACKUP.DUMP_FAILED",
      `Dumping database ${db} reported errors: ${tail(problems)}`,
      {
        hint: "Fix the cause named above and run the backup again.",
      },
    );
  }
  return problems;
}

function checkComplete(db: string, s: DumpSummary, inv: DatabaseInventory): void {
  const missing = [
    ...inv.tables.filter((t) => !s.tables.has(t)).map((t) => `table ${t}`),
    ...inv.views.filter((v) => !s.views.has(v)).map((v) => `view ${v}`),
    ...inv.triggers.filter((t) => !s.triggers.has(t)).map((t) => `trigger ${t}`),
  ];
  if (!s.completed || missing.length > 0) {
    const what = !s.completed ? "it has no '-- Dump completed' line (truncated)" : "";
    const list =
      missing.length > 0
        ? `it lacks ${missing.slice(0, 8).join(", ")}${missing.length > 8 ? ` and ${missing.length - 8} more` : ""}`
        : "";
    throw failure(
      "BACKUP.DUMP_INCOMPLETE",
      `The dump of ${db} is incomplete: ${[what, list].filter(Boolean).join("; ")}.`,
      {
        hint: "Nothing was written under the backup's name. If tables were created or dropped during the backup, run it again.",
      },
    );
  }
}
