// `flush-cache [WORKSPACE...]`: empty the compiled, framework and workspace caches and remove
// routes.php (cli-contract.md). Needs no database: only the installation layout and db.php files.
import path from "node:path";
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import { collectWorkspace, namedWorkspaces } from "../cli/workspace-option.js";
import { failure } from "../errors.js";
import { resolveWorkspaces } from "../install/installation.js";
import { flushCaches, type FlushResult, type TargetResult } from "../cache/flush.js";
import { cacheTargets } from "../cache/targets.js";
import { formatBytes } from "../fsx/walk.js";
import { acquireWorkspaceLocks } from "../lock/workspace-lock.js";

export function registerFlushCache(program: Command, bind: Binder): void {
  program
    .command("flush-cache")
    .description(
      "empty the compiled, framework and workspace caches and remove routes.php (no database needed)",
    )
    .argument(
      "[workspace...]",
      "workspaces whose caches to flush (all when none named); compiled/ is flushed once",
    )
    .option(
      "-w, --workspace <ws>",
      "a workspace (repeatable; same as naming it as an argument)",
      collectWorkspace,
    )
    .action(bind(flushCacheCommand));
}

function targetLine(t: TargetResult, dryRun: boolean): string {
  const what =
    t.status === "absent"
      ? "not present"
      : t.status === "skipped"
        ? `skipped: ${t.reason ?? ""}`
        : t.kind === "remove"
          ? dryRun
            ? "would be removed"
            : "removed"
          : `${t.files} file${t.files === 1 ? "" : "s"}, ${formatBytes(t.bytes)}`;
  return `  ${t.label.padEnd(36)} ${what}`;
}

function summaryFor(r: FlushResult, dryRun: boolean): string {
  const files = `${r.files} file${r.files === 1 ? "" : "s"} (${formatBytes(r.bytes)})`;
  return dryRun ? `Would remove ${files}; nothing was changed.` : `Removed ${files}.`;
}

async function flushCacheCommand(ctx: Ctx, cmd: Command): Promise<number> {
  const dryRun = ctx.opts.dryRun;
  const inst = await ctx.installation();
  const workspaces = await resolveWorkspaces(inst, namedWorkspaces(cmd));
  const targets = cacheTargets(inst, workspaces);
  const listed: Array<{ path: string; bytes: number }> = [];
  // Not while a backup reads or a restore swaps the workspace: the lock they take (exit 3 naming
  // the holder). A dry run changes nothing and needs none.
  const locks = dryRun
    ? undefined
    : await acquireWorkspaceLocks({
        sharedDir: inst.sharedDir,
        workspaces: workspaces.map((w) => w.name),
        operation: "flush-cache",
      });
  let result: FlushResult;
  try {
    result = await flushCaches(targets, {
      dryRun,
      signal: ctx.rt.signal,
      onFile: (abs, bytes) => {
        if (dryRun) listed.push({ path: abs, bytes });
        else ctx.out.verbose(`removed ${abs}`);
      },
    });
  } finally {
    await locks?.release();
  }
  const errors = result.targets.flatMap((t) => t.errors);
  const document = {
    ok: errors.length === 0,
    dryRun,
    workspaces: workspaces.map((w) => w.name),
    files: result.files,
    bytes: result.bytes,
    targets: result.targets,
    ...(dryRun ? { wouldRemove: listed } : {}),
  };
  if (errors.length > 0) {
    // One JSON document per run: the error report carries the partial result as details.
    const first = errors[0];
    throw failure(
      "CACHE.REMOVE_FAILED",
      `Could not remove ${errors.length} cache entr${errors.length === 1 ? "y" : "ies"}, e.g. ${first?.path ?? ""} (${first?.message ?? ""}); the rest was flushed.`,
      {
        hint: "Run flush-cache as the user that owns the cache files (often the web server user or root).",
        details: document,
      },
    );
  }
  ctx.out.document(document);
  if (dryRun) {
    ctx.out.line("Would remove:");
    for (const f of listed) ctx.out.line(`  ${path.relative(inst.sharedDir, f.path)}`);
    if (listed.length === 0) ctx.out.line("  (nothing)");
    ctx.out.line();
  }
  ctx.out.line(
    `${dryRun ? "Caches (dry run)" : "Flushed caches"} of ${workspaces.map((w) => w.name).join(", ")}:`,
  );
  for (const t of result.targets) ctx.out.line(targetLine(t, dryRun));
  ctx.out.line(summaryFor(result, dryRun));
  return 0;
}
