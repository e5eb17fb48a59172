// `pmadmin sandbox`: a complete, disposable ProcessMaker 3 installation layout backed by a private
// MariaDB server, for trying pmadmin, for CI scripts and for our own tests.
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { refused, usage } from "../errors.js";
import { pidAlive } from "../exec/pid.js";
import {
  readServerState,
  rootTarget,
  startServer,
  stopServer,
  type ServerState,
} from "../db/server.js";
import { encodeHashInstallation } from "../install/hash.js";
import { PATHS_INSTALLED_RELATIVE, renderPathsInstalled } from "../install/paths-installed.js";
import { writeSharedTree } from "./layout.js";
import { provisionWorkspace } from "./provision.js";

export const SANDBOX_MARKER = "pmadmin-sandbox.json";
const SERVER_DIR = ".mariadb";

export interface SandboxUpOptions {
  dir: string;
  workspace: string;
  cases: number;
  docBytes?: number;
  now: Date;
  env: Readonly<Record<string, string | undefined>>;
  lowerCaseTableNames?: 0 | 1;
  onProgress?: (message: string) => void;
}

export interface SandboxStatus {
  dir: string;
  running: boolean;
  port: number | null;
  pid: number | null;
  installDir: string;
  sharedDir: string;
  workspaces: string[];
}

async function listSites(sharedDir: string): Promise<string[]> {
  const { readdir } = await import("node:fs/promises");
  try {
    const names = await readdir(path.join(sharedDir, "sites"));
    return names.filter((n) => existsSync(path.join(sharedDir, "sites", n, "db.php"))).sort();
  } catch {
    return [];
  }
}

export async function sandboxUp(
  o: SandboxUpOptions,
): Promise<SandboxStatus & { created: string[] }> {
  const dir = path.resolve(o.dir);
  const progress = o.onProgress ?? (() => undefined);
  if (existsSync(dir) && !existsSync(path.join(dir, SANDBOX_MARKER))) {
    const { readdir } = await import("node:fs/promises");
    if ((await readdir(dir)).length > 0) {
      throw refused("SANDBOX.NOT_EMPTY", `${dir} exists and is not a pmadmin sandbox.`, {
        hint: "Choose an empty or new directory for the sandbox.",
      });
    }
  }
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, SANDBOX_MARKER),
    `${JSON.stringify({ createdBy: "pmadmin", version: 1 })}\n`,
  );
  progress("starting the private MariaDB server");
  const server: ServerState = await startServer({
    baseDir: path.join(dir, SERVER_DIR),
    env: o.env,
    ...(o.lowerCaseTableNames === undefined ? {} : { lowerCaseTableNames: o.lowerCaseTableNames }),
  });
  const sharedDir = path.join(dir, "shared");
  const configFile = path.join(dir, PATHS_INSTALLED_RELATIVE);
  if (!existsSync(configFile)) {
    await writeSharedTree(sharedDir);
    await mkdir(path.dirname(configFile), { recursive: true });
    // SYSTEM_HASH is an md5 in hex, as ProcessMaker's installer makes it.
    const systemHash = createHash("md5").update(randomBytes(16)).digest("hex");
    const hash = encodeHashInstallation(
      { host: `127.0.0.1:${server.port}`, user: "root", password: server.rootPassword },
      systemHash,
    );
    await writeFile(
      configFile,
      renderPathsInstalled({
        pathData: `${sharedDir}/`,
        pathC: `${sharedDir}/compiled/`,
        hashInstallation: hash,
        systemHash,
      }),
      { mode: 0o640 },
    );
  }
  const created: string[] = [];
  if (!existsSync(path.join(sharedDir, "sites", o.workspace, "db.php"))) {
    progress(`creating workspace ${o.workspace} with ${o.cases} cases`);
    await provisionWorkspace({
      admin: rootTarget(server),
      dbHostForDbPhp: `127.0.0.1:${server.port}`,
      sharedDir,
      name: o.workspace,
      cases: o.cases,
      now: o.now,
      ...(o.docBytes === undefined ? {} : { docBytes: o.docBytes }),
      onProgress: progress,
    });
    created.push(o.workspace);
  }
  return { ...(await sandboxStatus(dir)), created };
}

export async function sandboxStatus(dirArg: string): Promise<SandboxStatus> {
  const dir = path.resolve(dirArg);
  if (!existsSync(path.join(dir, SANDBOX_MARKER))) {
    throw usage("SANDBOX.NOT_FOUND", `${dir} is not a pmadmin sandbox.`, {
      hint: "Create one with: pmadmin sandbox up DIR",
    });
  }
  const state = await readServerState(path.join(dir, SERVER_DIR));
  const running = state !== undefined && pidAlive(state.pid);
  const sharedDir = path.join(dir, "shared");
  return {
    dir,
    running,
    port: state?.port ?? null,
    pid: running ? (state?.pid ?? null) : null,
    installDir: dir,
    sharedDir,
    workspaces: await listSites(sharedDir),
  };
}

export async function sandboxDown(
  dirArg: string,
  purge: boolean,
): Promise<{ stopped: boolean; purged: boolean }> {
  const dir = path.resolve(dirArg);
  await sandboxStatus(dir); // refuses anything that is not a sandbox, before touching it
  const stopped = await stopServer(path.join(dir, SERVER_DIR));
  if (purge) {
    const marker = JSON.parse(await readFile(path.join(dir, SANDBOX_MARKER), "utf8")) as {
      createdBy?: string;
    };
    if (marker.createdBy !== "pmadmin")
      throw refused("SANDBOX.NOT_OURS", `${dir} was not created by pmadmin; not purging.`);
    await rm(dir, { recursive: true, force: true });
  }
  return { stopped, purged: purge };
}
