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

process.exitCode = await run(processRuntime(), process.argv.slice(2));
