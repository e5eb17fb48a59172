// `prepare`: build dist/ and the man page. npm runs it after `npm ci` in a clone, on `npm pack`,
// and when a git URL is installed (`npm i -g git+https://…`) before it packs the clone.
//
// That last case needs the TypeScript compiler, a devDependency. npm means to install the
// devDependencies of a git dependency first, but for a global install (`-g`) its preparation
// install inherits the global setting and puts them somewhere else (npm/cli#8440, open), so
// `tsc` is missing. When it is, install the locked devDependencies into this directory first,
// as a plain project install, then build. The packed result never contains node_modules.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(root, "package.json"));

function tscPath() {
  try {
    return require.resolve("typescript/bin/tsc");
  } catch {
    return undefined;
  }
}

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function installDevDependencies() {
  process.stderr.write("pmadmin prepare: TypeScript is missing; installing devDependencies here\n");
  // Drop the settings of the outer `npm i -g …` (global, prefix, omit=dev): this install is local.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^npm_config_(global|location|prefix|omit|include|production|only)$/i.test(k),
    ),
  );
  const npmCli = process.env.npm_execpath;
  const [cmd, pre] = npmCli ? [process.execPath, [npmCli]] : ["npm", []];
  run(
    cmd,
    [
      ...pre,
      "ci",
      "--include=dev",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--location=project",
    ],
    env,
  );
}

if (tscPath() === undefined) installDevDependencies();
const tsc = tscPath();
if (tsc === undefined) {
  process.stderr.write(
    "pmadmin prepare: TypeScript still missing after installing devDependencies\n",
  );
  process.exit(1);
}
// A clean dist/: nothing left over from a source file that no longer exists gets packed.
rmSync(path.join(root, "dist"), { recursive: true, force: true });
run(process.execPath, [tsc, "-p", "tsconfig.build.json"]);
run(process.execPath, [path.join(root, "scripts/gen-man.mjs")]);
