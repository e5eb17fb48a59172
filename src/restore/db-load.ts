// Loading one dump into a staging database with the real mariadb/mysql client, as the restore's
// loading account (loader.ts: privileges on the staging databases only): password in a private
// option file, the dump streamed from the archive through SqlRewrite. The client stops at the
// first SQL error (no --force); its exit status and stderr are checked (ProcessMaker ignores both).
// The client itself must not act on the dump either: --binary-mode (no client commands such as
// `\!`, `system` or `source`), --sandbox where the client has it (MariaDB ≥ 10.5.25: no file
// system access at all), and no LOAD DATA LOCAL (which would read this host's files).
import { pipeline } from "node:stream/promises";
import { failure, interrupted } from "../errors.js";
import { findProgram } from "../exec/clients.js";
import { writeOptionFile, type ClientCredentials } from "../exec/option-file.js";
import { runProgram, spawnStreaming, tail } from "../exec/run.js";
import { SqlRewrite } from "./sql-rewrite.js";

export interface LoadOptions {
  /** The loading account (never the admin), reached the way the admin's connection is. */
  account: ClientCredentials;
  database: string;
  definer: string;
  engine: number;
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
}

/** A tar entry or any byte stream. */
export type DumpInput = AsyncIterable<Buffer | string> & { resume(): unknown };

const sandboxSupport = new Map<string, Promise<boolean>>();

/** Whether this client knows --sandbox (older clients refuse unknown options). */
function hasSandbox(client: string, env: LoadOptions["env"]): Promise<boolean> {
  let known = sandboxSupport.get(client);
  if (!known) {
    known = runProgram(client, ["--no-defaults", "--help"], { env: { ...env } }).then(
      (r) => /^\s*--sandbox\b/m.test(r.stdout),
      () => false,
    );
    sandboxSupport.set(client, known);
  }
  return known;
}

export async function loadDump(
  input: DumpInput,
  o: LoadOptions,
): Promise<{ definersRewritten: number }> {
  const client = await findProgram("client", o.env);
  const sandbox = await hasSandbox(client, o.env);
  const opt = await writeOptionFile(o.account, o.env);
  try {
    const args = [
      `--defaults-extra-file=${opt.path}`,
      `--database=${o.database}`,
      `--default-character-set=${o.engine === 1 ? "utf8" : "utf8mb4"}`,
      "--binary-mode",
      "--local-infile=0",
      ...(sandbox ? ["--sandbox"] : []),
      "--batch",
      "--silent",
    ];
    const child = spawnStreaming(client, args, {
      stdin: "pipe",
      stdout: "ignore",
      signal: o.signal,
      env: { ...o.env },
    });
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => {
      stderr = (stderr + c.toString("utf8")).slice(-8192);
    });
    const rewrite = new SqlRewrite({ definer: o.definer, engine: o.engine });
    const sink = child.stdin;
    let streamError: unknown;
    try {
      await pipeline(input, rewrite, sink);
    } catch (error) {
      streamError = error;
      input.resume();
    }
    const r = await child;
    if (o.signal.aborted) throw interrupted();
    if ((streamError as { code?: string } | undefined)?.code?.startsWith("RESTORE."))
      throw streamError;
    if (r.exitCode !== 0 || streamError !== undefined) {
      throw failure(
        "RESTORE.SQL_FAILED",
        `Loading the dump into ${o.database} failed: ${tail(stderr || String((streamError as Error | undefined)?.message ?? `exit ${r.exitCode ?? r.signal}`))}`,
        {
          hint: "The live workspace was not touched. Fix the dump or the server problem shown, then restore again.",
        },
      );
    }
    if (/^ERROR\b/m.test(stderr)) {
      throw failure(
        "RESTORE.SQL_FAILED",
        `Loading the dump into ${o.database} reported: ${tail(stderr)}`,
      );
    }
    return { definersRewritten: rewrite.definersRewritten };
  } finally {
    await opt.dispose();
  }
}
