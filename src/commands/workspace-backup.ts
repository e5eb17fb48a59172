// `workspace-backup [-s MB] WORKSPACE... [BACKUP-FILE]` (cli-contract.md §workspace-backup).
import path from "node:path";
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import { applyBackup, retentionPlace, type BackupResult } from "../backup/apply.js";
import { prepareBackup, type Prepared } from "../backup/prepare.js";
import { planBackup, requireWorkspaceArgument, type BackupPlan } from "../backup/plan.js";
import { noProgress, ttyProgress } from "../backup/progress.js";
import { formatBytes } from "../fsx/walk.js";
import { countTree, formatCounts, type FileCounts } from "../fsx/counts.js";
import { usage } from "../errors.js";
import { resolveWorkspaces } from "../install/installation.js";
import { applyRetention } from "../backup/retention.js";
import { s3Store, withS3Options } from "../cli/s3-options.js";
import { checkBucket } from "../archive/s3/client.js";
import { backupAllCommand, type AllOptions } from "./workspace-backup-all.js";

interface BackupOptions extends AllOptions {
  all?: boolean;
}

export function registerWorkspaceBackup(program: Command, bind: Binder): void {
  const cmd = program
    .command("workspace-backup")
    .description("back up workspaces (database and files) into a ProcessMaker-compatible archive")
    .usage("[options] WORKSPACE... [BACKUP-FILE]")
    .argument(
      "[workspace-and-file...]",
      "WORKSPACE... [BACKUP-FILE]: one name → <ws>.tar; the last of several is the file",
    )
    .option(
      "-s, --filesize <MB>",
      "split into <file>.00, .01, … of at most MB MiB each (a gzip tar; default size 1000)",
    )
    .option(
      "--keep <n>",
      "after success, keep the newest N backups of the same family (same directory and workspaces, same name with its date/time masked)",
    )
    .option(
      "--skip-unreadable",
      "leave out files pmadmin cannot read (listed as warnings) instead of failing",
    )
    .option(
      "--all",
      "back up every workspace into the one argument DEST (a directory or s3://BUCKET/PREFIX/) as <ws>-<UTC yyyymmdd-hhmmss>.tar.gz, carrying on past failures",
    )
    .option("--jobs <n>", "with --all: how many workspaces at a time (default 1)");
  withS3Options(cmd)
    .addHelpText(
      "after",
      "\nA file name without '/' goes to <shared>/backups/. Endings: .tar (uncompressed), .tar.gz or .tgz (gzip).\nBACKUP-FILE may be s3://BUCKET/KEY or s3://BUCKET/PREFIX/ (S3-compatible storage; credentials from the AWS SDK's usual chain).\n\nExamples:\n  pmadmin workspace-backup workflow                  # <shared>/backups/workflow.tar\n  pmadmin workspace-backup --keep 7 workflow workflow-$(date +%F).tar.gz\n  pmadmin workspace-backup -s 500 workflow /mnt/backup/workflow.tar\n  pmadmin workspace-backup workflow s3://my-backups/pm/workflow-$(date +%F).tar.gz\n  pmadmin workspace-backup --all --jobs 2 --keep 7 s3://my-backups/pm/",
    )
    .action(bind(workspaceBackupCommand));
}

function dryRun(
  ctx: Ctx,
  plan: BackupPlan,
  prep: Prepared,
  sizes: FileCounts[],
  wouldRemove: string[],
): number {
  const t = plan.target;
  const workspaces = prep.workspaces.map((pw, i) => ({
    name: pw.ws.name,
    siteDir: pw.ws.siteDir,
    files: sizes[i],
    databases: pw.databases.map((d) => ({
      name: d.endpoint.name,
      tables: d.inventory.tables.length,
      views: d.inventory.views.length,
      triggers: d.inventory.triggers.length,
    })),
  }));
  ctx.out.document({
    ok: true,
    dryRun: true,
    target: { path: t.path, gzip: t.gzip, partBytes: t.partBytes ?? null },
    workspaces,
    dumpProgram: prep.dumpVersion,
    keep: plan.keep ?? null,
    wouldRemove,
  });
  ctx.out.line(
    t.s3
      ? `Would upload ${t.path} (${t.gzip ? "gzip" : "uncompressed"} tar, one multipart upload completed only when whole)`
      : `Would write ${t.path}${t.partBytes ? `.00, .01, … (parts of at most ${formatBytes(t.partBytes)})` : ""} (${t.gzip ? "gzip" : "uncompressed"} tar, mode 0600)`,
  );
  for (const w of workspaces) {
    ctx.out.line(`  ${w.name}: ${w.files ? formatCounts(w.files) : "no files"} from ${w.siteDir}`);
    for (const d of w.databases)
      ctx.out.line(
        `    database ${d.name}: ${d.tables} tables, ${d.views} views, ${d.triggers} triggers`,
      );
  }
  if (plan.keep !== undefined) {
    ctx.out.line(
      `  then keep the newest ${plan.keep} backups of its family (${path.basename(t.path)} with the date and time masked, same workspaces) in ${t.dir}`,
    );
    for (const f of wouldRemove) ctx.out.line(`  would remove older backup ${f}`);
    if (wouldRemove.length === 0) ctx.out.line("  would remove no older backup");
  }
  return 0;
}

/** The manifest's file statistics under the one definition every command reports. */
function siteCounts(f: {
  count: number;
  directories: number;
  symlinks: number;
  bytes: number;
}): FileCounts {
  return { files: f.count, directories: f.directories, links: f.symlinks, bytes: f.bytes };
}

function render(ctx: Ctx, plan: BackupPlan, r: BackupResult): void {
  ctx.out.document({
    ok: true,
    files: r.files,
    bytes: r.bytes,
    sha256: r.sha256,
    workspaces: r.workspaces.map((w) => ({ ...w, files: siteCounts(w.files) })),
    tables: r.tables,
    rows: r.rows,
    fileCount: r.fileCount,
    durationMs: r.durationMs,
    removed: r.removed,
    warnings: r.warnings,
  });
  const where =
    r.files.length === 1
      ? (r.files[0]?.path ?? plan.target.path)
      : `${plan.target.path}.00 … ${r.files.length} parts`;
  ctx.out.line(`Backup written: ${where} (${formatBytes(r.bytes)}, sha256 ${r.sha256})`);
  for (const w of r.workspaces) {
    const dbs = w.databases.map((d) => `${d.name}: ${d.tables} tables, ${d.rows} rows`).join("; ");
    ctx.out.line(`  ${w.name}: ${dbs}; ${formatCounts(siteCounts(w.files))}`);
  }
  for (const f of r.removed) ctx.out.line(`  removed older backup ${f}`);
  ctx.out.line(`Done in ${(r.durationMs / 1000).toFixed(1)} s.`);
}

async function workspaceBackupCommand(ctx: Ctx, cmd: Command): Promise<number> {
  const o = cmd.opts<BackupOptions>();
  if (o.all) return backupAllCommand(ctx, cmd, o);
  if (o.jobs !== undefined) {
    throw usage("USAGE.JOBS_WITHOUT_ALL", "--jobs applies to --all only.", {
      hint: "Add --all DEST to back up every workspace, or leave out --jobs.",
    });
  }
  requireWorkspaceArgument(cmd.args);
  const inst = await ctx.installation();
  // Validate the whole command line (endings, -s, Windows) before touching anything.
  const plan = planBackup({
    positionals: cmd.args,
    filesize: o.filesize,
    keep: o.keep,
    skipUnreadable: o.skipUnreadable === true,
    sharedDir: inst.sharedDir,
    cwd: ctx.rt.cwd,
    platform: ctx.rt.platform,
  });
  const workspaces = await resolveWorkspaces(inst, plan.workspaces);
  const prep = await prepareBackup(workspaces, { rt: ctx.rt, inst });
  const s3 = plan.target.s3 ? s3Store(ctx, cmd) : undefined;
  if (ctx.opts.dryRun) {
    // A dry run to a bucket also shows that the bucket is there and the keys work.
    if (s3 && plan.target.s3) await checkBucket(s3, plan.target.s3.bucket, "write to");
    const sizes = await Promise.all(workspaces.map((w) => countTree(w.siteDir)));
    const t = plan.target;
    const wouldRemove =
      plan.keep === undefined
        ? []
        : await applyRetention({
            dir: t.dir,
            place: retentionPlace(plan, s3),
            target: t.path,
            workspaces: workspaces.map((w) => w.name),
            keep: plan.keep,
            // Parts of an older backup of the same name are replaced by the new one, not removed.
            newFiles: [t.partBytes === undefined ? t.path : `${t.path}.00`],
            dryRun: true,
          }).catch((e: unknown) => {
            // No backup directory yet: nothing to remove.
            if ((e as { code?: unknown }).code === "ENOENT") return [] as string[];
            throw e;
          });
    return dryRun(ctx, plan, prep, sizes, wouldRemove);
  }
  const progress =
    ctx.out.progressAllowed && !ctx.opts.json ? ttyProgress(ctx.rt.stderr) : noProgress;
  const result = await applyBackup(plan, prep, {
    rt: ctx.rt,
    inst,
    progress,
    warn: (t) => ctx.out.warn(t),
    s3,
  });
  render(ctx, plan, result);
  return 0;
}
