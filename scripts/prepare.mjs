// `prepare`: build dist/ and the man page. npm runs it after `npm ci`/`npm install` in a clone,
// on `npm pack`, and when it prepares a git URL before packing it.
//
// `npm i -g git+URL` cannot install a package that has a build step (npm/cli#8440, open): npm's
// preparation install of the clone inherits -g, so the devDependencies (TypeScript) are not
// installed and the temporary clone is linked into the global prefix, where the real install
// then lands in a directory npm deletes (a `pmadmin` that points nowhere). Say so and name the
// command that works, instead of failing with "tsc: not found" or leaving that broken link.
// (Repairing the link from here does not work: that preparation install has already retired the
// directory the real install filled with dependencies, so pmadmin would lack node_modules.)
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(root, "package.json"));

function fail(message) {
  process.stderr.write(`pmadmin prepare: ${message}\n`);
  process.exit(1);
}

// pacote marks its git preparation install with _PACOTE_NO_PREPARE_; -g shows in npm_config_global.
if (process.env._PACOTE_NO_PREPARE_ !== undefined && process.env.npm_config_global === "true") {
  fail(
    "npm cannot install a git URL that needs a build globally in one step (npm/cli#8440).\n" +
      '  Pack it, then install the tarball:  npm i -g "$(npm pack --silent git+https://…/pmadmin.git)"',
  );
}

let tsc;
try {
  tsc = require.resolve("typescript/bin/tsc");
} catch {
  fail(
    "TypeScript (a devDependency) is missing. Run `npm ci` (without --omit=dev), then build again.",
  );
}

function run(args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// A clean dist/: nothing left over from a source file that no longer exists gets packed.
rmSync(path.join(root, "dist"), { recursive: true, force: true });
run([tsc, "-p", "tsconfig.build.json"]);
run([path.join(root, "scripts/gen-man.mjs")]);
