// Which Laravel a ProcessMaker 4 install runs: the framework's own VERSION constant, else the
// version composer.lock pinned. The cache key layout depends on it (cache-config.ts).
import { readFile } from "node:fs/promises";
import path from "node:path";

export const APPLICATION_PHP = "vendor/laravel/framework/src/Illuminate/Foundation/Application.php";

/** `const VERSION = '11.43.2';` in Illuminate\Foundation\Application. */
export function versionFromApplicationPhp(source: string): string | undefined {
  return /\bconst\s+VERSION\s*=\s*['"]v?(\d+\.\d+(?:\.\d+)?)[^'"]*['"]/.exec(source)?.[1];
}

/** The laravel/framework entry of composer.lock (`"version": "v11.43.2"`). */
export function versionFromComposerLock(text: string): string | undefined {
  let lock: unknown;
  try {
    lock = JSON.parse(text);
  } catch {
    return undefined;
  }
  const packages = (lock as { packages?: unknown }).packages;
  if (!Array.isArray(packages)) return undefined;
  for (const p of packages as Array<{ name?: unknown; version?: unknown }>) {
    if (p.name === "laravel/framework" && typeof p.version === "string")
      return /^v?(\d+\.\d+(?:\.\d+)?)/.exec(p.version)?.[1];
  }
  return undefined;
}

const readText = (file: string): Promise<string | undefined> =>
  readFile(file, "utf8").catch(() => undefined);

/** The install's Laravel version ("11.43.2"), or undefined when neither file tells. */
export async function laravelVersion(rootDir: string): Promise<string | undefined> {
  const app = await readText(path.join(rootDir, APPLICATION_PHP));
  const fromApp = app === undefined ? undefined : versionFromApplicationPhp(app);
  if (fromApp !== undefined) return fromApp;
  const lock = await readText(path.join(rootDir, "composer.lock"));
  return lock === undefined ? undefined : versionFromComposerLock(lock);
}

export function majorOf(version: string | undefined): number | undefined {
  if (version === undefined) return undefined;
  const n = Number(version.split(".")[0]);
  return Number.isInteger(n) ? n : undefined;
}
