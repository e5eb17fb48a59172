// `workspace-restore [-o] [-i] [-m] [-w SRC] [-l LANG] [-p PORT] BACKUP-FILE [NEW-WORKSPACE]`
// (cli-contract.md §workspace-restore): read → preflight → stage → swap; never loses the live workspace.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import type { Installation } from "../install/installation.js";
import { withDb } from "../db/mysql.js";
import type { DbTarget } from "../db/types.js";
import { usage } from "../errors.js";
import { countTree, noFiles } from "../fsx/counts.js";
import { assertWorkspaceName } from "../install/names.js";
import { resolveArchive, type ArchiveSource } from "../archive/read/source.js";
import { describeArchive } from "../restore/describe.js";
import { listArchiveEntries } from "./workspace-restore-list.js";
import type { RestorePlan } from "../restore/plan.js";
import { runRestore } from "../restore/run.js";
import { scanArchive } from "../restore/scan.js";
import { liveSummary } from "../restore/target-state.js";
import { confirm } from "../ui/prompt.js";
import { s3Store, withS3Options } from "../cli/s3-options.js";
import {
  renderArchiveInfo,
  renderDryRun,
  renderRestored,
  replaceQuestion,
} from "./workspace-restore-render.js";

interface RestoreFlags {
  overwrite?: boolean;
  info?: boolean;
  list?: boolean;
  multiple?: boolean;
  workspace?: string;
  lang?: string;
  port?: string;
  allowCrossPlatform?: boolean;
}

const RESTORE_EXAMPLES = `
Examples:
  pmadmin workspace-restore -i workflow                    # describe <shared>/backups/workflow.tar[.gz]
  pmadmin workspace-restore -i --list workflow.tar.gz      # list its entries like 'tar tv'
  pmadmin workspace-restore workflow.tar.gz                # restore a workspace that does not exist yet
  pmadmin workspace-restore -o /mnt/backup/workflow.tar.gz # replace the live workspace (asks on a TTY)
  pmadmin workspace-restore workflow.tar.gz staging        # a copy under the new name 'staging'
  pmadmin workspace-restore -m /mnt/backup/workflow.tar    # split parts workflow.tar.00, .01, …
  pmadmin workspace-restore s3://my-backups/pm/workflow.tar.gz staging  # from S3-compatible storage`;

export function registerWorkspaceRestore(program: Command, bind: Binder): void {
  const cmd = program
    .command("workspace-restore")
    .description(
      "restore a ProcessMaker 3 or pmadmin backup; the live workspace is swapped only after everything was staged",
    )
    .argument(
      "<backup-file>",
      "archive; a bare name is looked up in <shared>/backups/ as given or with .tar, .tar.gz, .tgz (or their split parts), or s3://BUCKET/KEY",
    )
    .argument(
      "[new-workspace]",
      "restore under this name (new database wf_<name> and a new database user)",
    )
    .option("-o, --overwrite", "replace an existing workspace and its database")
    .option("-i, --info", "describe the archive and change nothing")
    .option("--list", "with -i: list every entry like 'tar tv' (mode, owner, size, mtime, path)")
    .option("-m, --multiple", "the backup is split into <file>.00, <file>.01, …")
    .option("-w, --workspace <src>", "which workspace of a multi-workspace archive to restore")
    .option(
      "-l, --lang <lang>",
      "accepted for compatibility only, no effect: ProcessMaker uses it to rebuild the case list cache when it upgrades an older backup, which pmadmin does not do",
      "en",
    )
    .option(
      "-p, --port <port>",
      "port of the database server (overrides the admin credentials' port)",
    )
    .option("--allow-cross-platform", "restore a backup made on another operating system")
    .addHelpText("after", RESTORE_EXAMPLES);
  withS3Options(cmd).action(bind(workspaceRestoreCommand));
}

function adminWithPort(
  c: { host: string; port: number | undefined; user: string; password: string },
  port: string | undefined,
): DbTarget {
  if (port === undefined) return { host: c.host, port: c.port, user: c.user, password: c.password };
  const p = port.replace(/^:/, "");
  if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535)
    throw usage("USAGE.BAD_NUMBER", `--port must be a port number, not '${port}'.`);
  return {
    host: c.host === "localhost" ? "127.0.0.1" : c.host,
    port: Number(p),
    user: c.user,
    password: c.password,
  };
}

async function workspaceRestoreCommand(ctx: Ctx, cmd: Command): Promise<number> {
  const flags = cmd.opts<RestoreFlags>();
  const [file, newName] = cmd.args as [string, string | undefined];
  if (flags.list && !flags.info)
    throw usage(
      "RESTORE.LIST_WITHOUT_INFO",
      "--list lists an archive's entries; it goes with -i.",
      {
        hint: "Add -i: pmadmin workspace-restore -i --list FILE.",
      },
    );
  if (newName !== undefined) assertWorkspaceName(newName);
  if (flags.workspace !== undefined) assertWorkspaceName(flags.workspace);
  // Options are checked before any file is looked at (a bad --port is a usage error first).
  if (flags.port !== undefined)
    adminWithPort({ host: "", port: undefined, user: "", password: "" }, flags.port);
  if (cmd.getOptionValueSource("lang") === "cli")
    ctx.out.info(
      `note: -l/--lang ${flags.lang ?? ""} has no effect (accepted for ProcessMaker compatibility; see 'pmadmin help workspace-restore').`,
    );
  const inst = await ctx.installation();
  const progress = (m: string): void =>
    ctx.out.progressAllowed ? ctx.out.info(m) : ctx.out.verbose(m);
  const source = await resolveArchive(file, {
    sharedDir: inst.sharedDir,
    cwd: ctx.rt.cwd,
    multiple: flags.multiple === true,
    s3: () => s3Store(ctx, cmd),
  });
  progress(
    `reading ${source.file}${source.parts.length > 1 ? ` (${source.parts.length} parts)` : ""}`,
  );
  // The restore's private work directory (entry records of pass 1, directory records of pass 2).
  // In the system temp dir, not <shared>: `-i` must work on a read-only installation, and a
  // killed run leaves nothing in the shared directory. Always removed.
  const workDir = await mkdtemp(path.join(tmpdir(), "pmadmin-restore-"));
  try {
    if (flags.list) return await listArchiveEntries(ctx, source, workDir);
    return await restoreFromArchive(ctx, flags, { newName, inst, source, workDir, progress });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function restoreFromArchive(
  ctx: Ctx,
  flags: RestoreFlags,
  o: {
    newName: string | undefined;
    inst: Installation;
    source: ArchiveSource;
    workDir: string;
    progress: (m: string) => void;
  },
): Promise<number> {
  const { newName, inst, source, workDir, progress } = o;
  const scan = await scanArchive(source, workDir, ctx.rt.signal);
  if (flags.info) {
    renderArchiveInfo(ctx.out, await describeArchive(source, scan));
    return 0;
  }
  let adminTarget: Promise<DbTarget> | undefined;
  const admin = (): Promise<DbTarget> =>
    (adminTarget ??= ctx.adminCredentials().then((c) => adminWithPort(c, flags.port)));
  const outcome = await runRestore({
    scan,
    source,
    workDir,
    options: {
      sourceWorkspace: flags.workspace,
      newName,
      overwrite: flags.overwrite === true,
      allowCrossPlatform: flags.allowCrossPlatform === true,
    },
    dryRun: ctx.opts.dryRun === true,
    inst,
    admin,
    env: ctx.rt.env,
    platform: ctx.rt.platform,
    signal: ctx.rt.signal,
    progress,
    notice: (m) => ctx.out.info(m),
    warn: (m) => ctx.out.warn(m),
    confirm: async (plan) => confirmReplace(ctx, plan, await admin(), inst.sitesDir),
  });
  if (outcome.dryRun) renderDryRun(ctx.out, outcome.plan);
  else renderRestored(ctx.out, outcome.plan, outcome.result);
  return 0;
}

async function confirmReplace(
  ctx: Ctx,
  plan: RestorePlan,
  admin: DbTarget,
  sitesDir: string,
): Promise<boolean> {
  if (ctx.opts.yes || !ctx.rt.stdinIsTTY) return true;
  const live = await withDb(admin, ctx.rt.env, (db) =>
    liveSummary(db, plan.databases[0]?.target ?? ""),
  );
  const files = await countTree(`${sitesDir}/${plan.target}`).catch(() => noFiles());
  return confirm(
    { yes: ctx.opts.yes, stdinIsTTY: ctx.rt.stdinIsTTY, stderr: ctx.rt.stderr, ask: ctx.rt.ask },
    replaceQuestion(plan.target, live, files),
  );
}
