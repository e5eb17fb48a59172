// Finding a ProcessMaker 4 install: a Laravel root whose `.env` names the database (issue 7).
// ProcessMaker 3 keeps workflow/engine/config/paths_installed.php instead; we recognise it so the
// user is told which generation was found rather than "not found".
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { failure, usage } from "../errors.js";
import type { DbTarget } from "../db/types.js";
import { maskedDsn } from "../install/db-url.js";
import { DEFAULT_INSTALL_DIR } from "../install/installation.js";
import { PATHS_INSTALLED_RELATIVE } from "../install/paths-installed.js";
import { parseDotEnv, type DotEnv } from "./env-file.js";

export interface Pm4Settings {
  installDir: string | undefined;
  envFile: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export interface Pm4Install {
  kind: "pm4";
  /** The Laravel root (directory of the .env); cache files live under it. */
  rootDir: string;
  envFile: string;
  env: DotEnv;
  db: DbTarget & { database: string };
  /** mysql://user:****@host:port/db — safe to print. */
  dsn: string;
  /** What made us believe this is ProcessMaker 4 (printed with -v). */
  evidence: string[];
}

async function exists(p: string, kind: "file" | "dir"): Promise<boolean> {
  try {
    const s = await stat(p);
    return kind === "file" ? s.isFile() : s.isDirectory();
  } catch {
    return false;
  }
}

const FIX =
  "Point --install-dir at the ProcessMaker 4 root (the directory holding .env and artisan), or pass --env-file.";

/** The database settings as config/database.php reads them (connection `processmaker`). */
export function dbTargetFromEnv(env: DotEnv, envFile: string): Pm4Install["db"] {
  const database = env.get("DB_DATABASE") ?? "";
  const user = env.get("DB_USERNAME") ?? "";
  if (database === "" || user === "") {
    throw failure("PM4.ENV_INVALID", `${envFile} does not set DB_DATABASE and DB_USERNAME.`, {
      hint: "Check that this is the .env of a configured ProcessMaker 4 install.",
    });
  }
  const host = env.get("DB_HOSTNAME") || env.get("DB_HOST") || "localhost";
  const portText = env.get("DB_PORT") ?? "";
  // PHP's PDO ignores the port for "localhost" and uses the socket; mysql.ts does the same when port is unset.
  const port = host === "localhost" || portText === "" ? undefined : Number(portText);
  if (port !== undefined && !Number.isInteger(port)) {
    throw failure("PM4.ENV_INVALID", `${envFile}: DB_PORT '${portText}' is not a number.`, {
      hint: "Fix DB_PORT in the .env.",
    });
  }
  const socket = env.get("DB_SOCKET");
  return {
    host,
    port,
    user,
    password: env.get("DB_PASSWORD") ?? "",
    database,
    ...(socket ? { socketPath: socket } : {}),
  };
}

async function readEnv(file: string): Promise<DotEnv> {
  try {
    return parseDotEnv(await readFile(file, "utf8"));
  } catch (error) {
    throw failure("PM4.ENV_UNREADABLE", `Cannot read ${file}: ${(error as Error).message}`, {
      hint: "Run pmadmin as a user that can read the install's .env.",
      cause: error,
    });
  }
}

export async function locatePm4(s: Pm4Settings): Promise<Pm4Install> {
  const explicitEnv = s.envFile ?? s.env["PM_ENV_FILE"];
  const explicitDir = s.installDir ?? s.env["PM_INSTALL_DIR"];
  let envFile: string;
  if (explicitEnv !== undefined) {
    envFile = path.resolve(s.cwd, explicitEnv);
    if (!(await exists(envFile, "file"))) {
      throw usage("PM4.NOT_FOUND", `The env file ${envFile} does not exist.`, { hint: FIX });
    }
  } else {
    const dir = path.resolve(s.cwd, explicitDir ?? DEFAULT_INSTALL_DIR);
    envFile = path.join(dir, ".env");
    if (!(await exists(envFile, "file"))) {
      const defaulted =
        explicitDir === undefined ? " (the default; set --install-dir or PM_INSTALL_DIR)" : "";
      if (await exists(path.join(dir, PATHS_INSTALLED_RELATIVE), "file")) {
        throw usage(
          "PM4.IS_PM3",
          `${dir} is a ProcessMaker 3 installation (${PATHS_INSTALLED_RELATIVE}); 'platform' commands manage ProcessMaker 4.`,
          {
            hint: `Use 'pmadmin role …' and 'pmadmin permission …' for ProcessMaker 3 workspaces. ${FIX}`,
          },
        );
      }
      throw usage(
        "PM4.NOT_FOUND",
        (await exists(dir, "dir"))
          ? `No ProcessMaker 4 install in ${dir}${defaulted}: .env is missing.`
          : `Install directory ${dir} does not exist${defaulted}.`,
        { hint: FIX },
      );
    }
  }
  const rootDir = path.dirname(envFile);
  const env = await readEnv(envFile);
  const db = dbTargetFromEnv(env, envFile);
  const evidence = [`.env at ${envFile}`];
  if (await exists(path.join(rootDir, "artisan"), "file")) evidence.push("artisan");
  if (await exists(path.join(rootDir, "ProcessMaker"), "dir"))
    evidence.push("ProcessMaker/ (4.x code)");
  const dsn = maskedDsn({
    host: db.socketPath ?? db.host,
    port: db.port,
    user: db.user,
    name: db.database,
  });
  return { kind: "pm4", rootDir, envFile, env, db, dsn, evidence };
}
