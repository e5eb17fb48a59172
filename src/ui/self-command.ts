// How to type pmadmin in a hint so that it works when pasted: `pmadmin` when that name on the
// PATH is this very copy (installed with npm i -g), else this copy's bin/pmadmin.js by absolute
// path (a clone, or a copy run by path). `npx pmadmin` would ask the registry outside a clone.
import { accessSync, constants, realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** bin/pmadmin.js of the package this module was loaded from (dist/ui/ → ../../bin). */
export function ownBinPath(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bin/pmadmin.js");
}

function real(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `pmadmin`, or the absolute path that runs this copy. */
export function selfCommand(
  env: Readonly<Record<string, string | undefined>>,
  bin = ownBinPath(),
): string {
  const own = real(bin);
  for (const dir of (env["PATH"] ?? "").split(path.delimiter)) {
    if (dir === "" || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, "pmadmin");
    const target = real(candidate);
    if (target !== undefined && target === own && executable(candidate)) return "pmadmin";
    if (target !== undefined) break; // another pmadmin comes first on the PATH
  }
  return executable(bin) ? shellWord(bin) : `node ${shellWord(bin)}`;
}

/** A word (a path) as one shell word, quoted only when it needs to be. */
export function shellWord(p: string): string {
  return /^[A-Za-z0-9_./+-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}
