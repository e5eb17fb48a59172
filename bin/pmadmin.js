#!/usr/bin/env node
import { run } from "../dist/main.js";
import { processRuntime } from "../dist/runtime.js";

process.exitCode = await run(processRuntime(), process.argv.slice(2));
