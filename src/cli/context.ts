// What every command handler receives: the runtime, the global options, the output and a lazily
// located installation.
import type { Command } from "commander";
import {
  adminCredentials,
  locateInstallation,
  type Installation,
  type InstallSettings,
} from "../install/installation.js";
import type { DbAdminCredentials } from "../install/db-url.js";
import { readWhole, recoverAbandonedRestores } from "../restore/journal.js";
import type { Runtime } from "../runtime.js";
import { Output } from "../ui/output.js";

export interface GlobalOptions {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
  yes: boolean;
  dryRun: boolean;
  installDir: string | undefined;
  sharedDir: string | undefined;
  dbAdminUrl: string | undefined;
}

export interface Ctx {
  rt: Runtime;
  opts: GlobalOptions;
  out: Output;
  /** Finds the installation on first use (commands like `sandbox` never need one). */
  installation(): Promise<Installation>;
  adminCredentials(): Promise<DbAdminCredentials>;
  /**
   * Runs a read of workspaces (databases, files) so that it never sees a restore's swap half
   * done: it waits for swaps in progress and reads again if one began meanwhile.
   */
  readWhole<T>(read: () => Promise<T>): Promise<T>;
}

export function readGlobals(raw: Record<string, unknown>): GlobalOptions {
  const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  return {
    json: raw["json"] === true,
    quiet: raw["quiet"] === true,
    verbose: raw["verbose"] === true,
    color: raw["color"] !== false,
    yes: raw["yes"] === true,
    dryRun: raw["dryRun"] === true,
    installDir: str(raw["installDir"]),
    sharedDir: str(raw["sharedDir"]),
    dbAdminUrl: str(raw["dbAdminUrl"]),
  };
}

export function createCtx(rt: Runtime, opts: GlobalOptions): Ctx {
  const settings: InstallSettings = {
    installDir: opts.installDir,
    sharedDir: opts.sharedDir,
    dbAdminUrl: opts.dbAdminUrl,
    env: rt.env,
    cwd: rt.cwd,
  };
  const out = new Output(rt, opts);
  let inst: Promise<Installation> | undefined;
  // A promise either way: a missing credential is reported where it is awaited.
  const admin = (found: Installation): Promise<DbAdminCredentials> =>
    Promise.resolve().then(() => adminCredentials(found, settings));
  const settleRestores = (found: Installation): Promise<string[]> =>
    waitForSwapsThenRecoverRestores(found, rt, out, () => admin(found));
  // Located once per run, and no workspace is read before restores in flight are settled.
  const installation = (): Promise<Installation> =>
    (inst ??= locateInstallation(settings).then(async (found) => {
      await settleRestores(found);
      return found;
    }));
  return {
    rt,
    opts,
    out,
    installation,
    adminCredentials: async () => admin(await installation()),
    async readWhole<T>(read: () => Promise<T>): Promise<T> {
      const found = await installation();
      return readWhole({
        sharedDir: found.sharedDir,
        settle: () => settleRestores(found),
        read,
        onRetry: () => out.verbose("a restore moved on while reading; reading again"),
      });
    },
  };
}

/**
 * Before a command reads or changes workspaces: waits (bounded) while a live restore swaps one in
 * rather than read it half done, then finishes or rolls back the restores whose process died
 * mid-swap (src/restore/journal.ts). Returns what it recovered; warnings and notes go to stderr.
 */
function waitForSwapsThenRecoverRestores(
  found: Installation,
  rt: Runtime,
  out: Output,
  admin: () => Promise<DbAdminCredentials>,
): Promise<string[]> {
  return recoverAbandonedRestores({
    sharedDir: found.sharedDir,
    admin,
    env: rt.env,
    log: (m) => out.warn(m),
    signal: rt.signal,
    note: (m) => out.info(m),
  });
}

/** A command's handler: returns the exit code (default 0) or throws a typed error. */
export type Handler = (ctx: Ctx, cmd: Command) => Promise<number | void>;
