// `backups list [LOCATION] [--json]` (cli-contract.md §Off-site storage): the backups in a
// directory (default <shared>/backups) or an s3://BUCKET/PREFIX/, newest first.
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import { s3Store, withS3Options } from "../cli/s3-options.js";
import { isS3Url, parseS3Url } from "../archive/s3/location.js";
import { dirPlace, s3Place, type BackupPlace } from "../backup/backup-place.js";
import { listBackups, newestByWorkspace, type ListedBackup } from "../backup/list.js";
import { usage } from "../errors.js";
import { formatBytes } from "../fsx/walk.js";
import { formatTable } from "../ui/table.js";

export function registerBackupsList(backups: Command, bind: Binder): void {
  const cmd = backups
    .command("list")
    .description("the backups in a directory or an s3:// prefix, newest first")
    .argument("[location]", "a directory (default <shared>/backups) or s3://BUCKET/PREFIX/");
  withS3Options(cmd)
    .addHelpText(
      "after",
      "\nExamples:\n  pmadmin backups list\n  pmadmin backups list /mnt/backup\n  pmadmin backups list --json s3://my-backups/pm/",
    )
    .action(bind(backupsListCommand));
}

async function placeFor(
  ctx: Ctx,
  cmd: Command,
  location: string | undefined,
): Promise<{ place: BackupPlace; missingIsEmpty: boolean }> {
  if (location !== undefined && isS3Url(location)) {
    const loc = parseS3Url(location);
    // s3://BUCKET/PREFIX without the slash still means the prefix: backups never end in "/".
    const prefix = loc.isPrefix ? loc.key : `${loc.key}/`;
    return {
      place: s3Place(s3Store(ctx, cmd), { ...loc, key: prefix, isPrefix: true }),
      missingIsEmpty: true,
    };
  }
  if (location === undefined) {
    const inst = await ctx.installation();
    return { place: dirPlace(path.join(inst.sharedDir, "backups")), missingIsEmpty: true };
  }
  const dir = path.resolve(ctx.rt.cwd, location);
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) {
    throw usage("BACKUPS.NO_DIRECTORY", `${dir} is not a directory.`, {
      hint: "Name a directory that holds backups, or an s3://BUCKET/PREFIX/.",
    });
  }
  return { place: dirPlace(dir), missingIsEmpty: false };
}

function flags(b: ListedBackup): string {
  return [
    b.compressed ? "gzip" : "tar",
    ...(b.encrypted ? ["encrypted"] : []),
    ...(b.parts > 1 ? [`${b.parts} parts`] : []),
    b.pmadmin ? "pmadmin" : "other",
  ].join(",");
}

async function backupsListCommand(ctx: Ctx, cmd: Command): Promise<number> {
  const [location] = cmd.args as [string | undefined];
  const { place, missingIsEmpty } = await placeFor(ctx, cmd, location);
  const backups = await listBackups(place).catch((e: unknown) => {
    if (missingIsEmpty && (e as { code?: unknown }).code === "ENOENT") return [];
    throw e;
  });
  ctx.out.document({
    ok: true,
    location: place.where,
    backups,
    newestByWorkspace: newestByWorkspace(backups),
  });
  if (backups.length === 0) {
    ctx.out.line(`No backups in ${place.where}.`);
    return 0;
  }
  ctx.out.line(`Backups in ${place.where}, newest first:`);
  const rows = backups.map((b) => [
    b.created.replace("T", " ").replace(/\.\d+Z$/, "Z"),
    formatBytes(b.bytes),
    b.workspaces?.join(",") ?? "?",
    flags(b),
    b.name,
  ]);
  for (const line of formatTable(["CREATED (UTC)", "SIZE", "WORKSPACES", "KIND", "NAME"], rows))
    ctx.out.line(line);
  return 0;
}
