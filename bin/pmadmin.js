#!/usr/bin/env node
import { run } from "../dist/main.js";
import { processRuntime } from "../dist/runtime.js";

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

process.exitCode = await run(processRuntime(), process.argv.slice(2));
settled = true;
