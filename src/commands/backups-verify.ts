// `backups verify FILE [--identity F | --passphrase-file F] [--restore-test [--sandbox DIR]]`:
// read a backup whole and say, per workspace, whether it would restore (exit 0 sound, 1 damaged
// naming the first bad entry, 2 usage).
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import { loadDecryptKeys } from "../archive/age-keys.js";
import { listParts } from "../archive/parts.js";
import { isS3Url } from "../archive/s3/location.js";
import { s3Store, withS3Options } from "../cli/s3-options.js";
import { resolveArchive, type ArchiveSource } from "../archive/read/source.js";
import { restoreTest, type RestoreTestResult } from "../backup/restore-test.js";
import { dumpsOf, verifyArchive, type VerifyResult } from "../backup/verify.js";
import type { DbTarget } from "../db/types.js";
import { adminCredentials, locateInstallation } from "../install/installation.js";
import type { ArchiveScan } from "../restore/scan.js";
import { ExitCode, usage } from "../errors.js";
import { formatBytes } from "../fsx/walk.js";
import type { Output } from "../ui/output.js";

interface VerifyFlags {
  identity?: string;
  passphraseFile?: string;
  restoreTest?: boolean;
  sandbox?: string;
}

export function registerBackupsVerify(backups: Command, bind: Binder): void {
  const cmd = backups
    .command("verify")
    .description(
      "read a backup whole: tar structure, every manifest checksum, metas, complete dumps; exit 1 names the first bad entry",
    )
    .argument(
      "<backup-file>",
      "the archive: a file (split parts: the name without .00; bare names: <shared>/backups/) or s3://BUCKET/KEY",
    )
    .option(
      "--identity <file>",
      "decrypt an age-encrypted backup with the identity in FILE (mode 0600)",
    )
    .option(
      "--passphrase-file <file>",
      "decrypt with the passphrase on FILE's first line (mode 0600)",
    )
    .option(
      "--restore-test",
      "also load each dump into a throw-away database (restricted account), run check-integrity's storage and reference checks on it, drop it",
    )
    .option(
      "--sandbox <dir>",
      "with --restore-test: use the server of the installation (sandbox) at DIR, not this installation's",
    )
    .addHelpText(
      "after",
      "\nExit status: 0 sound, 1 damaged (the first bad entry is named), 2 bad usage.\nExample (weekly, from cron):\n  pmadmin backups verify --identity /root/.config/pmadmin/backup-key.txt workflow.tar.gz.age",
    );
  withS3Options(cmd).action(bind(backupsVerifyCommand));
}

/** The archive named on the command line: split parts are found without -m. */
export async function verifySource(
  ctx: Ctx,
  cmd: Command,
  name: string,
  keys: Awaited<ReturnType<typeof loadDecryptKeys>>,
): Promise<ArchiveSource> {
  if (isS3Url(name)) {
    const s3 = () => s3Store(ctx, cmd);
    return resolveArchive(name, { sharedDir: "", cwd: ctx.rt.cwd, multiple: false, keys, s3 });
  }
  const bare = !name.includes("/") && !name.includes("\\");
  const sharedDir = bare ? (await ctx.installation()).sharedDir : "";
  const abs = bare ? path.join(sharedDir, "backups", name) : path.resolve(ctx.rt.cwd, name);
  const single = await stat(abs).then(
    () => true,
    () => false,
  );
  const multiple = !single && (await listParts(abs)).length > 0;
  return resolveArchive(name, { sharedDir, cwd: ctx.rt.cwd, multiple, keys });
}

export function renderVerify(out: Output, r: VerifyResult): void {
  out.line(
    `${r.file}: ${formatBytes(r.bytes)}${r.encrypted ? ", age-encrypted" : ""}${r.gzip ? ", gzip" : ""}, ${r.entries} entries read`,
  );
  for (const w of r.workspaces) {
    const dbs = w.databases
      .map((d) => `${d.name}.sql ${d.complete ? "complete" : "INCOMPLETE"}`)
      .join(", ");
    out.line(
      r.entries === 0
        ? `  ${w.name}: ${w.verdict} (the archive cannot be read to its end)`
        : `  ${w.name}: ${w.verdict} (${dbs || "no dump"}; ${w.entries} file entries)`,
    );
  }
  if (r.manifest === "verified")
    out.line("  every entry matches the pmadmin manifest (size and SHA-256)");
  if (r.manifest === "absent")
    out.line("  no pmadmin manifest (a ProcessMaker archive): structure and dumps checked");
  if (r.problem)
    out.line(
      `Damaged: ${r.problem.entry ? `first bad entry ${r.problem.entry}: ` : ""}${r.problem.message}`,
    );
  else out.line("Sound.");
}

export function verifyDocument(r: VerifyResult): Record<string, unknown> {
  const { scan: _scan, ...rest } = r;
  return rest;
}

/** The server a restore test loads into: the sandbox's (--sandbox DIR), else the installation's. */
async function restoreTestAdmin(ctx: Ctx, flags: VerifyFlags): Promise<DbTarget> {
  if (flags.sandbox === undefined) return { ...(await ctx.adminCredentials()) };
  const settings = {
    installDir: path.resolve(ctx.rt.cwd, flags.sandbox),
    env: {},
    cwd: ctx.rt.cwd,
  };
  const inst = await locateInstallation(settings);
  return { ...adminCredentials(inst, settings) };
}

async function runRestoreTest(
  ctx: Ctx,
  flags: VerifyFlags,
  source: ArchiveSource,
  scan: ArchiveScan,
): Promise<RestoreTestResult> {
  const admin = await restoreTestAdmin(ctx, flags);
  return restoreTest({
    source,
    dumps: dumpsOf(scan),
    admin,
    env: ctx.rt.env,
    signal: ctx.rt.signal,
    now: ctx.rt.now(),
    progress: (m) => (ctx.out.progressAllowed ? ctx.out.info(m) : ctx.out.verbose(m)),
  });
}

function renderRestoreTest(out: Output, t: RestoreTestResult): void {
  for (const d of t.databases) {
    if (!d.loaded) {
      out.line(`Restore test: ${d.name}.sql did not load: ${d.error ?? "not found"}`);
      continue;
    }
    const bad = d.checks.filter((c) => c.status !== "ok" && c.status !== "skipped");
    out.line(
      `Restore test: ${d.name}.sql loaded into a throw-away database; ${d.checks.length} storage and reference checks: ${bad.length === 0 ? "all clean" : bad.map((c) => `${c.id} ${c.status} (${c.count})`).join(", ")}`,
    );
  }
  out.line(
    t.ok ? "Restore test passed (the throw-away databases were dropped)." : "Restore test FAILED.",
  );
}

async function backupsVerifyCommand(ctx: Ctx, cmd: Command): Promise<number> {
  const flags = cmd.opts<VerifyFlags>();
  const [name] = cmd.args as [string];
  if (flags.sandbox !== undefined && flags.restoreTest !== true) {
    throw usage("VERIFY.SANDBOX_WITHOUT_TEST", "--sandbox only applies to --restore-test.", {
      hint: "Add --restore-test, or leave out --sandbox.",
    });
  }
  const keys = await loadDecryptKeys({
    identity: flags.identity,
    passphraseFile: flags.passphraseFile,
  });
  const source = await verifySource(ctx, cmd, name, keys);
  const workDir = await mkdtemp(path.join(tmpdir(), "pmadmin-verify-"));
  try {
    const r = await verifyArchive(source, { workDir, signal: ctx.rt.signal });
    const test =
      r.ok && r.scan && flags.restoreTest
        ? await runRestoreTest(ctx, flags, source, r.scan)
        : undefined;
    ctx.out.document({
      ...verifyDocument(r),
      ok: r.ok && (test?.ok ?? true),
      restoreTest: test ?? null,
    });
    renderVerify(ctx.out, r);
    if (test) renderRestoreTest(ctx.out, test);
    return r.ok && (test?.ok ?? true) ? 0 : ExitCode.failed;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
