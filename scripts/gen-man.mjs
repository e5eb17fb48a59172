// Writes man/pmadmin.1 from the built program's help (dist/), so the man page lists exactly the
// commands and options `pmadmin --help` does. Run by `npm run build` (and so by prepare/pack).
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildProgram } from "../dist/cli/program.js";
import { COMMANDS } from "../dist/commands/index.js";
import { commandTree } from "../dist/help/tree.js";
import { manPage } from "../dist/help/manpage.js";
import { pmadminVersion } from "../dist/version.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "man", "pmadmin.1");
// Building the program only registers commands; the runtime is used when it runs, which it
// does not here.
const program = buildProgram(
  /** @type {any} */ ({ stdout: process.stdout, stderr: process.stderr }),
  COMMANDS,
  {
    exitCode: 0,
  },
);
await mkdir(path.dirname(out), { recursive: true });
const tmp = `${out}.tmp-${process.pid}`;
await writeFile(tmp, manPage(commandTree(program), pmadminVersion()));
await rename(tmp, out);
