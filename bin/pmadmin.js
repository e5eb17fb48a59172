#!/usr/bin/env node
// The runtime comes first and main.js is loaded only afterwards: loading every command takes a
// few hundred milliseconds, and a SIGINT/SIGTERM arriving before the handlers exist would kill
// the process with the default action (exit 143) instead of the contract's 130.
import { processRuntime } from "../dist/runtime.js";

const runtime = processRuntime();

// `pmadmin info | head`: a reader that went away is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// If the event loop ever drained while a command was still pending, Node would exit 0: a cron
// job must never read that as success.
let settled = false;
process.on("exit", () => {
  if (settled) return;
  process.stderr.write("pmadmin: error [INTERNAL]: stopped before the command finished\n");
  process.exitCode = 1;
});

const { run } = await import("../dist/main.js");
process.exitCode = await run(runtime, process.argv.slice(2));
settled = true;
