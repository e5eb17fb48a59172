// Opening a ProcessMaker 4 install for the `platform` commands: locate it, say what was found,
// connect, and make sure the database has the PM4 tables.
import type { Command } from "commander";
import type { Ctx } from "../cli/context.js";
import { withDb } from "../db/mysql.js";
import type { Db } from "../db/types.js";
import { forgetUserPermissions, type ForgetResult } from "../pm4/cache.js";
import { laravelVersion, majorOf } from "../pm4/laravel-version.js";
import { cacheSettings, userPermissionsKey } from "../pm4/cache-config.js";
import { locatePm4, type Pm4Install } from "../pm4/install.js";
import { checkSchema } from "../pm4/sql.js";

export function installJson(i: Pm4Install): Record<string, unknown> {
  return { kind: "ProcessMaker 4", envFile: i.envFile, database: i.dsn };
}

export async function withPm4<T>(
  ctx: Ctx,
  cmd: Command,
  fn: (install: Pm4Install, db: Db) => Promise<T>,
): Promise<T> {
  const envFile = cmd.optsWithGlobals<{ envFile?: string }>().envFile;
  const install = await locatePm4({
    installDir: ctx.opts.installDir,
    envFile,
    env: ctx.rt.env,
    cwd: ctx.rt.cwd,
  });
  ctx.out.info(`ProcessMaker 4 install at ${install.rootDir} (database ${install.dsn})`);
  ctx.out.verbose(`Recognised by: ${install.evidence.join(", ")}`);
  return withDb(install.db, ctx.rt.env, async (db) => {
    await checkSchema(db, install.db.database);
    return fn(install, db);
  });
}

/** Clears user_{id}_permissions after a direct user change and says what happened. */
export async function invalidateUserCache(
  ctx: Ctx,
  install: Pm4Install,
  userId: number,
  changed: boolean,
): Promise<ForgetResult> {
  // The key's form depends on the Laravel version the install runs (unknown: both forms).
  const laravel = await laravelVersion(install.rootDir);
  if (laravel === undefined)
    ctx.out.verbose(
      "Laravel version unknown (no Application.php or composer.lock): clearing both key forms",
    );
  const settings = cacheSettings(install.env, install.rootDir, majorOf(laravel));
  const r = await forgetUserPermissions(settings, userId);
  const manual = `run 'php artisan cache:forget ${userPermissionsKey(userId)}' in ${install.rootDir}`;
  const report = changed ? ctx.out.warn.bind(ctx.out) : ctx.out.verbose.bind(ctx.out);
  switch (r.status) {
    case "deleted":
      ctx.out.info(`Cleared the user's cached permissions (${r.driver} ${r.key}).`);
      break;
    case "absent":
      ctx.out.verbose(`No cached permissions to clear (${r.driver} ${r.key}).`);
      break;
    case "unreachable":
      report(
        `Could not clear the cached permissions (${r.driver} ${r.key}): ${r.detail ?? "unreachable"}. The change takes effect when that cache entry expires (at most 24 h); to apply it now, ${manual}.`,
      );
      break;
    case "unsupported":
      report(
        `pmadmin cannot clear the '${r.driver}' cache store. The change takes effect when the cached entry expires (at most 24 h); to apply it now, ${manual}.`,
      );
      break;
    case "not-persistent":
      ctx.out.verbose(
        `Cache store '${r.driver}' keeps nothing between requests; nothing to clear.`,
      );
      break;
  }
  return r;
}

export function envFileOption(cmd: Command): Command {
  return cmd.option(
    "--env-file <file>",
    "the install's .env (default <install-dir>/.env; env PM_ENV_FILE)",
  );
}

/** Left-aligned columns for plain-text tables. */
export function columns(rows: ReadonlyArray<readonly string[]>): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}
