#!/usr/bin/env node
// Signals first, before anything is loaded: loading the commands takes a few hundred milliseconds
// (more on a busy machine), and a SIGINT/SIGTERM arriving before a handler exists would kill the
// process with the default action (exit 143) instead of the contract's 130. So no static imports:
// an interim handler notes a signal until the runtime's own handlers take over.
let early;
const noteEarly = (name) => {
  early ??= name;
};
process.on("SIGINT", noteEarly);
process.on("SIGTERM", noteEarly);
const { processRuntime } = await import("../dist/runtime.js");
const runtime = processRuntime(early);
process.off("SIGINT", noteEarly);
process.off("SIGTERM", noteEarly);

// If the event loop ever drained while a command was still pending, Node would exit 0: a cron
// job must never read that as success.
let settled = false;
process.on("exit", () => {
  if (settled) return;
  process.stderr.write("pmadmin: error [INTERNAL]: stopped before the command finished\n");
  process.exitCode = 1;
});

// `pmadmin info | head`: a reader of stdout that went away is not an error worth a report; the
// output was all that command was for, so stop quietly. A closed stderr (a log pipe that died)
// must not kill a restore in the middle of its swap: its messages are dropped and the command
// finishes.
process.stdout.on("error", (error) => {
  if (error.code !== "EPIPE") throw error;
  settled = true;
  process.exit(process.exitCode ?? 0);
});
process.stderr.on("error", (error) => {
  if (error.code !== "EPIPE") throw error;
});

const { run } = await import("../dist/main.js");
process.exitCode = await run(runtime, process.argv.slice(2));
settled = true;
