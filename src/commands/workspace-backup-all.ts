// `workspace-backup --all DEST [--jobs N]` (cli-contract.md §Off-site storage): every workspace,
// one archive each, a summary per workspace; exit 1 if any failed, 130 when interrupted.
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import type { Ctx } from "../cli/context.js";
import { s3Store } from "../cli/s3-options.js";
import { isS3Url, parseS3Url } from "../archive/s3/location.js";
import type { S3Store } from "../archive/s3/client.js";
import { applyBackup } from "../backup/apply.js";
import { fleetStamp, fleetTarget, runPool } from "../backup/fleet.js";
import { planBackup } from "../backup/plan.js";
import { prepareBackup } from "../backup/prepare.js";
import { noProgress } from "../backup/progress.js";
import { failure, interrupted, isPmError, usage } from "../errors.js";
import { formatBytes } from "../fsx/walk.js";
import { listWorkspaces, resolveWorkspaces, type Installation } from "../install/installation.js";
import { formatTable } from "../ui/table.js";

export interface AllOptions {
  filesize?: string;
  keep?: string;
  skipUnreadable?: boolean;
  jobs?: string;
}

interface Outcome {
  workspace: string;
  target: string;
  ok: boolean;
  bytes: number | null;
  sha256: string | null;
  durationMs: number;
  removed: string[];
  warnings: string[];
  error: { code: string; message: string; hint: string | null } | null;
}

function jobsOf(raw: string | undefined): number {
  if (raw === undefined) return 1;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 64)
    throw usage("USAGE.BAD_NUMBER", `--jobs takes a whole number from 1 to 64, not '${raw}'.`);
  return Number(raw);
}

/** DEST as an absolute directory that exists, or an s3:// prefix. */
async function destination(ctx: Ctx, args: readonly string[]): Promise<string> {
  if (args.length !== 1) {
    throw usage("BACKUP.ALL_DEST", "--all takes exactly one argument: DEST, not workspace names.", {
      hint: "Usage: pmadmin workspace-backup --all DEST (a directory or s3://BUCKET/PREFIX/) [--jobs N] [--keep N]",
    });
  }
  const dest = args[0] as string;
  if (isS3Url(dest)) {
    const loc = parseS3Url(dest);
    return `s3://${loc.bucket}/${loc.isPrefix ? loc.key : `${loc.key}/`}`;
  }
  const dir = path.resolve(ctx.rt.cwd, dest);
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
    throw failure("BACKUP.TARGET_DIR", `Cannot write backups into ${dir}: not a directory.`, {
      hint: "Create the directory first, or give an s3://BUCKET/PREFIX/.",
    });
  }
  return dir;
}

async function backupOne(
  ctx: Ctx,
  o: AllOptions,
  run: { inst: Installation; target: string; s3: S3Store | undefined },
  ws: string,
): Promise<Outcome> {
  const started = Date.now();
  try {
    const plan = planBackup({
      positionals: [ws, run.target],
      filesize: o.filesize,
      keep: o.keep,
      skipUnreadable: o.skipUnreadable === true,
      sharedDir: run.inst.sharedDir,
      cwd: ctx.rt.cwd,
      platform: ctx.rt.platform,
    });
    const workspaces = await resolveWorkspaces(run.inst, [ws]);
    const prep = await prepareBackup(workspaces, { rt: ctx.rt, inst: run.inst });
    ctx.out.info(`${ws}: backing up to ${run.target}`);
    const r = await applyBackup(plan, prep, {
      rt: ctx.rt,
      inst: run.inst,
      progress: noProgress,
      warn: (t) => ctx.out.warn(`${ws}: ${t}`),
      s3: run.s3,
    });
    const target = r.files.length === 1 ? (r.files[0]?.path ?? run.target) : `${run.target}.*`;
    return {
      workspace: ws,
      target,
      ok: true,
      bytes: r.bytes,
      sha256: r.sha256,
      durationMs: r.durationMs,
      removed: r.removed,
      warnings: r.warnings,
      error: null,
    };
  } catch (e) {
    const err = isPmError(e)
      ? { code: e.code, message: e.message, hint: e.hint ?? null }
      : { code: "INTERNAL", message: (e as Error)?.message ?? String(e), hint: null };
    if (!ctx.rt.signal.aborted) ctx.out.warn(`${ws}: failed: [${err.code}] ${err.message}`);
    return {
      workspace: ws,
      target: run.target,
      ok: false,
      bytes: null,
      sha256: null,
      durationMs: Date.now() - started,
      removed: [],
      warnings: [],
      error: err,
    };
  }
}

function render(ctx: Ctx, dest: string, outcomes: Outcome[]): void {
  const failed = outcomes.filter((x) => !x.ok).length;
  ctx.out.document({ ok: failed === 0, destination: dest, failed, backups: outcomes });
  const rows = outcomes.map((x) => [
    x.workspace,
    x.ok ? "ok" : "FAILED",
    x.bytes === null ? "-" : formatBytes(x.bytes),
    `${(x.durationMs / 1000).toFixed(1)} s`,
    x.ok ? x.target : `[${x.error?.code ?? "?"}] ${x.error?.message ?? ""}`,
  ]);
  for (const line of formatTable(["WORKSPACE", "STATUS", "SIZE", "TIME", "BACKUP / ERROR"], rows))
    ctx.out.line(line);
  for (const x of outcomes)
    for (const f of x.removed) ctx.out.line(`  ${x.workspace}: removed older backup ${f}`);
  ctx.out.line(
    `${outcomes.length - failed} of ${outcomes.length} workspaces backed up to ${dest}.`,
  );
}

export async function backupAllCommand(ctx: Ctx, cmd: Command, o: AllOptions): Promise<number> {
  const jobs = jobsOf(o.jobs);
  const dest = await destination(ctx, cmd.args);
  const inst = await ctx.installation();
  const names = await listWorkspaces(inst);
  if (names.length === 0) {
    throw usage("WORKSPACE.NONE", `No workspaces in ${inst.sitesDir} (no sites/<name>/db.php).`);
  }
  const stamp = fleetStamp(ctx.rt.now());
  // Options that no workspace can pass (-s with s3://, a bad --keep) fail once, up front.
  planBackup({
    positionals: [names[0] as string, fleetTarget(dest, names[0] as string, stamp)],
    filesize: o.filesize,
    keep: o.keep,
    skipUnreadable: false,
    sharedDir: inst.sharedDir,
    cwd: ctx.rt.cwd,
    platform: ctx.rt.platform,
  });
  const s3 = isS3Url(dest) ? s3Store(ctx, cmd) : undefined;
  if (ctx.opts.dryRun) {
    const planned = names.map((ws) => ({ workspace: ws, target: fleetTarget(dest, ws, stamp) }));
    ctx.out.document({
      ok: true,
      dryRun: true,
      destination: dest,
      jobs,
      keep: o.keep === undefined ? null : Number(o.keep),
      backups: planned,
    });
    for (const p of planned) ctx.out.line(`Would back up ${p.workspace} to ${p.target}`);
    return 0;
  }
  const outcomes = await runPool(
    names,
    jobs,
    ctx.rt.signal,
    (ws) => backupOne(ctx, o, { inst, target: fleetTarget(dest, ws, stamp), s3 }, ws),
    (ws) => ({
      workspace: ws,
      target: fleetTarget(dest, ws, stamp),
      ok: false,
      bytes: null,
      sha256: null,
      durationMs: 0,
      removed: [],
      warnings: [],
      error: { code: "INTERRUPTED", message: "not started: interrupted", hint: null },
    }),
  );
  if (ctx.rt.signal.aborted) throw interrupted();
  render(ctx, dest, outcomes);
  return outcomes.every((x) => x.ok) ? 0 : 1;
}
