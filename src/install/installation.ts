// Finding a ProcessMaker 3 installation: install dir, shared dir (PATH_DATA), workspaces and the
// system ("admin") database credentials, the way ProcessMaker finds them (processmaker-3.md §1).
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { failure, usage } from "../errors.js";
import { didYouMean } from "../ui/suggest.js";
import { DbPhpError, parseDbPhp, type DbPhp } from "./db-php.js";
import { decodeHashInstallation } from "./hash.js";
import {
  PATHS_INSTALLED_RELATIVE,
  parsePathsInstalled,
  type PathsInstalled,
} from "./paths-installed.js";
import { parseDbUrl, type DbAdminCredentials } from "./db-url.js";

export const DEFAULT_INSTALL_DIR = "/opt/processmaker";

export interface InstallSettings {
  installDir?: string | undefined;
  sharedDir?: string | undefined;
  dbAdminUrl?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export interface Workspace {
  name: string;
  siteDir: string;
  dbPhpPath: string;
  db: DbPhp;
}

export interface Installation {
  installDir: string;
  sharedDir: string;
  /** PATH_C: the compiled cache. */
  compiledDir: string;
  pathsInstalled: PathsInstalled | undefined;
  sitesDir: string;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

export async function locateInstallation(s: InstallSettings): Promise<Installation> {
  const explicitInstall = s.installDir ?? s.env["PM_INSTALL_DIR"];
  const installDir = path.resolve(s.cwd, explicitInstall ?? DEFAULT_INSTALL_DIR);
  const explicitShared = s.sharedDir ?? s.env["PM_SHARED_DIR"];
  const pathsFile = path.join(installDir, PATHS_INSTALLED_RELATIVE);
  let pathsInstalled: PathsInstalled | undefined;
  if (await isFile(pathsFile)) {
    try {
      pathsInstalled = parsePathsInstalled(await readFile(pathsFile, "utf8"));
    } catch (error) {
      throw failure("INSTALL.UNREADABLE", `Cannot read ${pathsFile}.`, { cause: error });
    }
  } else if (explicitShared === undefined) {
    const where =
      explicitInstall === undefined ? ` (the default; set --install-dir or PM_INSTALL_DIR)` : "";
    throw usage(
      "INSTALL.NOT_FOUND",
      (await isDir(installDir))
        ? `No ProcessMaker installation in ${installDir}${where}: ${PATHS_INSTALLED_RELATIVE} is missing.`
        : `Install directory ${installDir} does not exist${where}.`,
      {
        hint: "Point --install-dir at the ProcessMaker root, or --shared-dir at its shared directory.",
      },
    );
  }
  const sharedDir = path.resolve(
    s.cwd,
    explicitShared ?? pathsInstalled?.pathData ?? path.join(installDir, "shared"),
  );
  if (!(await isDir(sharedDir))) {
    throw usage("INSTALL.NO_SHARED_DIR", `Shared directory ${sharedDir} does not exist.`, {
      hint: "Set --shared-dir (PM_SHARED_DIR) to ProcessMaker's PATH_DATA directory.",
    });
  }
  const compiledDir = path.resolve(
    sharedDir,
    pathsInstalled?.pathC ?? path.join(sharedDir, "compiled"),
  );
  return {
    installDir,
    sharedDir,
    compiledDir,
    pathsInstalled,
    sitesDir: path.join(sharedDir, "sites"),
  };
}

/** Workspace names: directories under sites/ that contain db.php, in alphabetical order. */
export async function listWorkspaces(inst: Installation): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(inst.sitesDir);
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const name of entries.sort()) {
    // Dot-directories are pmadmin's staging and old copies during a restore, never workspaces.
    if (name.startsWith(".")) continue;
    if (await isFile(path.join(inst.sitesDir, name, "db.php"))) names.push(name);
  }
  return names;
}

export async function loadWorkspace(inst: Installation, name: string): Promise<Workspace> {
  if (name === "") {
    // Usually an unset shell variable ("$WS"): never read it as "the default workspace".
    const known = await listWorkspaces(inst);
    throw usage("WORKSPACE.BAD_NAME", "The workspace name is empty.", {
      hint:
        known.length > 0
          ? `Name a workspace: ${known.join(", ")}.`
          : `There are no workspaces in ${inst.sitesDir}.`,
    });
  }
  const siteDir = path.join(inst.sitesDir, name);
  const dbPhpPath = path.join(siteDir, "db.php");
  if (
    name.includes("/") ||
    name.includes("\\") ||
    name.startsWith(".") ||
    !(await isFile(dbPhpPath))
  ) {
    const known = await listWorkspaces(inst);
    const list =
      known.length > 0
        ? ` Workspaces here: ${known.join(", ")}.`
        : " There are no workspaces here.";
    throw usage(
      "WORKSPACE.NOT_FOUND",
      `Workspace '${name}' not found in ${inst.sitesDir}.${didYouMean(name, known)}${list}`,
      {
        hint:
          known.length > 0
            ? "Name one of the workspaces listed (pmadmin info lists them all)."
            : "Check --install-dir/--shared-dir, or restore a workspace with pmadmin workspace-restore.",
      },
    );
  }
  let source: string;
  try {
    source = await readFile(dbPhpPath, "utf8");
  } catch (error) {
    throw failure(
      "WORKSPACE.DB_PHP_UNREADABLE",
      `Cannot read ${dbPhpPath}: ${(error as Error).message}`,
      {
        hint: "Run pmadmin as a user that can read the workspace (often the web server user or root).",
      },
    );
  }
  try {
    return { name, siteDir, dbPhpPath, db: parseDbPhp(source) };
  } catch (error) {
    const why = error instanceof DbPhpError ? error.message : String(error);
    throw failure("WORKSPACE.DB_PHP_INVALID", `${dbPhpPath} is not a usable db.php: ${why}.`);
  }
}

/** The named workspaces, or all of them when none are named. */
export async function resolveWorkspaces(
  inst: Installation,
  names: readonly string[],
): Promise<Workspace[]> {
  const wanted = names.length > 0 ? names : await listWorkspaces(inst);
  if (wanted.length === 0) {
    throw usage("WORKSPACE.NONE", `No workspaces in ${inst.sitesDir} (no sites/<name>/db.php).`);
  }
  const out: Workspace[] = [];
  for (const name of wanted) out.push(await loadWorkspace(inst, name));
  return out;
}

/** Credentials of an account that may create databases and users (--db-admin-url or HASH_INSTALLATION). */
export function adminCredentials(inst: Installation, s: InstallSettings): DbAdminCredentials {
  const url = s.dbAdminUrl ?? s.env["PM_DB_ADMIN_URL"];
  if (url !== undefined && url !== "") return parseDbUrl(url);
  const p = inst.pathsInstalled;
  if (!p?.hashInstallation || !p.systemHash) {
    throw usage("INSTALL.NO_ADMIN_CREDENTIALS", "No database admin credentials found.", {
      hint: "Pass --db-admin-url mysql://user:password@host:port (or PM_DB_ADMIN_URL), or point --install-dir at an installation whose paths_installed.php has HASH_INSTALLATION.",
    });
  }
  try {
    const c = decodeHashInstallation(p.hashInstallation, p.systemHash);
    return parseDbUrl(`mysql://placeholder@${c.host}`, { user: c.user, password: c.password });
  } catch (error) {
    throw failure(
      "INSTALL.BAD_HASH",
      `HASH_INSTALLATION could not be decoded: ${(error as Error).message}.`,
      {
        hint: "Pass --db-admin-url instead.",
      },
    );
  }
}
