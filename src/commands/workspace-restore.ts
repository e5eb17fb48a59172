// `workspace-restore [-o] [-i] [-m] [-w SRC] [-l LANG] [-p PORT] BACKUP-FILE [NEW-WORKSPACE]`
// (cli-contract.md §workspace-restore): read → preflight → stage → swap; never loses the live workspace.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import type { Installation } from "../install/installation.js";
import { connect, withDb } from "../db/mysql.js";
import type { DbTarget } from "../db/types.js";
import { refused, usage } from "../errors.js";
import { formatBytes, treeSize } from "../fsx/walk.js";
import { assertWorkspaceName } from "../install/names.js";
import { acquireWorkspaceLocks } from "../lock/workspace-lock.js";
import { applyRestore } from "../restore/apply.js";
import { resolveArchive, type ArchiveSource } from "../archive/read/source.js";
import { describeArchive } from "../restore/describe.js";
import { recoverWorkspace } from "../restore/journal.js";
import { archiveWorkspaces, planRestore, type RestorePlan } from "../restore/plan.js";
import { scanArchive } from "../restore/scan.js";
import { liveSummary, readTargetState } from "../restore/target-state.js";
import { confirm } from "../ui/prompt.js";

interface RestoreFlags {
  overwrite?: boolean;
  info?: boolean;
  multiple?: boolean;
  workspace?: string;
  lang?: string;
  port?: string;
  allowCrossPlatform?: boolean;
}

export function registerWorkspaceRestore(program: Command, bind: Binder): void {
  program
    .command("workspace-restore")
    .description(
      "restore a ProcessMaker 3 or pmadmin backup; the live workspace is swapped only after everything was staged",
    )
    .argument(
      "<backup-file>",
      "archive (bare names are looked up in <shared>/backups/, .tar appended)",
    )
    .argument(
      "[new-workspace]",
      "restore under this name (new database wf_<name> and a new database user)",
    )
    .option("-o, --overwrite", "replace an existing workspace and its database")
    .option("-i, --info", "describe the archive and change nothing")
    .option("-m, --multiple", "the backup is split into <file>.00, <file>.01, …")
    .option("-w, --workspace <src>", "which workspace of a multi-workspace archive to restore")
    .option("-l, --lang <lang>", "language (accepted for ProcessMaker compatibility)", "en")
    .option(
      "-p, --port <port>",
      "port of the database server (overrides the admin credentials' port)",
    )
    .option("--allow-cross-platform", "restore a backup made on another operating system")
    .action(bind(workspaceRestoreCommand));
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
  if (newName !== undefined) assertWorkspaceName(newName);
  if (flags.workspace !== undefined) assertWorkspaceName(flags.workspace);
  // Options are checked before any file is looked at (a bad --port is a usage error first).
  if (flags.port !== undefined)
    adminWithPort({ host: "", port: undefined, user: "", password: "" }, flags.port);
  const inst = await ctx.installation();
  const progress = (m: string): void =>
    ctx.out.progressAllowed ? ctx.out.info(m) : ctx.out.verbose(m);
  const source = await resolveArchive(file, {
    sharedDir: inst.sharedDir,
    cwd: ctx.rt.cwd,
    multiple: flags.multiple === true,
  });
  progress(
    `reading ${source.file}${source.parts.length > 1 ? ` (${source.parts.length} parts)` : ""}`,
  );
  // The restore's private work directory (entry records of pass 1, directory records of pass 2).
  // In the system temp dir, not <shared>: `-i` must work on a read-only installation, and a
  // killed run leaves nothing in the shared directory. Always removed.
  const workDir = await mkdtemp(path.join(tmpdir(), "pmadmin-restore-"));
  try {
    return await restoreFromArchive(ctx, flags, { file, newName, inst, source, workDir, progress });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function restoreFromArchive(
  ctx: Ctx,
  flags: RestoreFlags,
  o: {
    file: string;
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
    const d = await describeArchive(source, scan);
    ctx.out.document({ ok: true, ...d });
    ctx.out.line(
      `Found ${d.workspaces.length} workspace(s) in ${d.file} (${formatBytes(d.bytes)}${d.compressed ? ", gzip" : ""}; checksums ${d.checksums === "verified" ? `verified for ${d.entriesVerified} entries` : "absent (not a pmadmin backup)"})`,
    );
    for (const w of d.workspaces) {
      ctx.out.line();
      for (const [k, v] of [
        ["Workspace Name", w.name],
        ["ProcessMaker Version", w.pmVersion ?? "unknown"],
        ["System", `${w.system ?? "unknown"}${w.platform ? ` [${w.platform}]` : ""}`],
        ["Database Server", w.database ?? "unknown"],
        [
          "Databases",
          w.databases.map((x) => `${x.name} (${formatBytes(x.bytes)} dump)`).join(", "),
        ],
        ["Files", `${w.files} entries, ${formatBytes(w.fileBytes)}`],
        ["Backup Engine", String(w.engine)],
      ] as const)
        ctx.out.line(`${k.padStart(20)} ${v}`);
    }
    return 0;
  }

  const workspaces = await archiveWorkspaces(scan);
  const target =
    newName ??
    flags.workspace ??
    (workspaces.length === 1 ? workspaces[0]?.layout.name : undefined) ??
    "";
  const adminCreds = adminWithPort(await ctx.adminCredentials(), flags.port);
  const locks =
    target !== "" && !ctx.opts.dryRun
      ? await acquireWorkspaceLocks({
          sharedDir: inst.sharedDir,
          workspaces: [target],
          operation: "restore",
        })
      : undefined;
  try {
    if (target !== "" && !ctx.opts.dryRun) {
      await recoverWorkspace({
        sharedDir: inst.sharedDir,
        workspace: target,
        admin: () => Promise.resolve(adminCreds),
        env: ctx.rt.env,
        log: (m) => ctx.out.warn(m),
      });
    }
    const state = await withDb(adminCreds, ctx.rt.env, (db) =>
      readTargetState(db, inst.sitesDir, ctx.rt.platform),
    );
    const plan = await planRestore(
      scan,
      {
        sourceWorkspace: flags.workspace,
        newName,
        overwrite: flags.overwrite === true,
        allowCrossPlatform: flags.allowCrossPlatform === true,
      },
      state,
    );
    for (const w of plan.warnings) ctx.out.warn(w);
    if (ctx.opts.dryRun) return dryRun(ctx, plan);
    if (plan.replacing && !(await confirmOverwrite(ctx, plan, adminCreds, inst.sitesDir))) {
      throw refused(
        "RESTORE.NOT_CONFIRMED",
        `Restore over workspace '${plan.target}' was not confirmed; nothing was changed.`,
        { hint: "Answer yes, or pass --yes." },
      );
    }
    locks?.assertHeld();
    const r = await applyRestore({
      plan,
      scan,
      source,
      workDir,
      sharedDir: inst.sharedDir,
      sitesDir: inst.sitesDir,
      admin: adminCreds,
      env: ctx.rt.env,
      signal: ctx.rt.signal,
      progress,
      notice: (m) => ctx.out.info(m),
    });
    const ownershipNote =
      r.ownershipFailed.length > 0
        ? `${r.ownershipFailed.length} file(s) kept pmadmin's owner (could not set the shared directory's owner/group), e.g. ${r.ownershipFailed.slice(0, 3).join(", ")}`
        : undefined;
    if (ownershipNote) ctx.out.warn(ownershipNote);
    await checkNewCredentials(ctx, plan, r.dbUser);
    ctx.out.document({
      ok: true,
      source: plan.layout.name,
      ...r,
      ownershipFailed: r.ownershipFailed.slice(0, 100),
      warnings: plan.warnings,
    });
    ctx.out.line(
      `Restored workspace '${plan.layout.name}' as '${r.workspace}'${r.replaced ? " (replaced the existing one)" : ""}:`,
    );
    for (const d of r.databases)
      ctx.out.line(`  database ${d.source} → ${d.target} (${d.tables} tables)`);
    ctx.out.line(
      `  ${r.files} files (${formatBytes(r.bytes)}), database user ${r.dbUser}${r.newUser ? " (created)" : ""}`,
    );
    if (r.definersRewritten > 0)
      ctx.out.line(
        `  ${r.definersRewritten} trigger/view/routine/event definer(s) set to ${r.dbUser}`,
      );
    return 0;
  } finally {
    await locks?.release();
  }
}

function dryRun(ctx: Ctx, plan: RestorePlan): number {
  const doc = {
    ok: true,
    dryRun: true,
    source: plan.layout.name,
    workspace: plan.target,
    replacing: plan.replacing,
    renaming: plan.renaming,
    databases: plan.databases.map((d) => ({
      source: d.source,
      target: d.target,
      dumpBytes: d.sqlBytes,
    })),
    files: plan.fileCount,
    fileBytes: plan.fileBytes,
    checksumsVerified: plan.manifest.verified,
    warnings: plan.warnings,
  };
  ctx.out.document(doc);
  ctx.out.line(
    `Would restore '${plan.layout.name}' as '${plan.target}'${plan.replacing ? " replacing the existing workspace" : ""}:`,
  );
  for (const d of plan.databases)
    ctx.out.line(`  load ${d.source} (${formatBytes(d.sqlBytes)}) into ${d.target}`);
  ctx.out.line(
    `  ${plan.fileCount} entries (${formatBytes(plan.fileBytes)}) into sites/${plan.target}/`,
  );
  ctx.out.line(
    plan.account.kind === "live"
      ? `  the workspace's database user ${plan.account.user} (from its db.php)`
      : "  a new database user with a new password",
  );
  ctx.out.line("Nothing was changed.");
  return 0;
}

async function confirmOverwrite(
  ctx: Ctx,
  plan: RestorePlan,
  admin: DbTarget,
  sitesDir: string,
): Promise<boolean> {
  if (ctx.opts.yes || !ctx.rt.stdinIsTTY) return true;
  const live = plan.databases[0]?.target ?? "";
  const s = await withDb(admin, ctx.rt.env, (db) => liveSummary(db, live));
  const files = await treeSize(`${sitesDir}/${plan.target}`).catch(() => ({ files: 0, bytes: 0 }));
  const what = `workspace '${plan.target}': ${s.cases ?? "unknown"} cases, database ${formatBytes(s.bytes ?? 0)}, ${files.files} files (${formatBytes(files.bytes)}), last change ${s.lastChange ?? "unknown"}`;
  return confirm(
    { yes: ctx.opts.yes, stdinIsTTY: ctx.rt.stdinIsTTY, stderr: ctx.rt.stderr, ask: ctx.rt.ask },
    `Replace ${what} with the backup?`,
  );
}

async function checkNewCredentials(ctx: Ctx, plan: RestorePlan, user: string): Promise<void> {
  // The restored db.php must work as written; say so now rather than at the first web request.
  const { loadWorkspace } = await import("../install/installation.js");
  try {
    const ws = await loadWorkspace(await ctx.installation(), plan.target);
    const db = await connect(
      {
        host: ws.db.wf.host,
        port: ws.db.wf.port,
        user: ws.db.wf.user,
        password: ws.db.wf.password,
        database: ws.db.wf.name,
      },
      ctx.rt.env,
    );
    await db.close();
  } catch {
    ctx.out.warn(
      plan.account.kind === "live"
        ? `the restored db.php credentials (user ${user}, kept from the replaced workspace) do not connect; check the account and its password (ALTER USER … IDENTIFIED BY …)`
        : `the restored db.php credentials (user ${user}) do not connect; check that the server accepts this account from the host in DB_HOST`,
    );
  }
}
