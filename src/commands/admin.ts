// `expire-admin [WS] [--user NAME]` and `extend-admin [WS] [--days N | --until DATE] [--user NAME]
// [--rotate-password] [--password-file F] [--force]` (cli-contract.md §Admin account).
import path from "node:path";
import type { Command } from "commander";
import type { Binder } from "../cli/program.js";
import type { Ctx } from "../cli/context.js";
import { runPlan } from "../cli/plan-runner.js";
import { oneWorkspace, oneWorkspaceName, withWorkspaceOption } from "../cli/workspace-option.js";
import {
  assertNotShortened,
  extendedDueDate,
  planAccountChange,
  planExpire,
  type AccountChange,
} from "../admin/account.js";
import { hasPasswordHistory, planPasswordHistory } from "../admin/password-history.js";
import { stagePasswordFile, type StagedFile } from "../admin/password-file.js";
import { generatePassword, hashPassword, workspaceAlgorithm } from "../admin/password.js";
import { localSqlDateTime } from "../db/datetime.js";
import type { Statement } from "../db/statement.js";
import type { Db } from "../db/types.js";
import { usage } from "../errors.js";
import { withRbacDb } from "../rbac/workspace-db.js";
import { ADMIN_USER_UID } from "../rbac/permission-catalog.js";
import { loadUser, type DbUser } from "../rbac/users.js";

export function registerAdmin(program: Command, bind: Binder): void {
  withWorkspaceOption(
    program
      .command("expire-admin")
      .description("set the admin's due date to yesterday so the account can no longer log in")
      .argument("[workspace]", "workspace (optional when there is only one; or -w WS)"),
  )
    .option("--user <name>", "another user than the admin (username)")
    .action(bind(expireAdmin));
  withWorkspaceOption(
    program
      .command("extend-admin")
      .description(
        "move the admin's due date (default 90 days from today); optionally set a new password",
      )
      .argument("[workspace]", "workspace (optional when there is only one; or -w WS)"),
  )
    .option("--days <n>", "days from today")
    .option("--until <date>", "due date as YYYY-MM-DD")
    .option("--user <name>", "another user than the admin (username)")
    .option("--rotate-password", "set a new strong password, printed once")
    .option(
      "--password-file <file>",
      "write the new password to this file (mode 0600) instead of printing it",
    )
    .option(
      "--force",
      "accept a due date earlier than the current one, or an --until date before today",
    )
    .action(bind(extendAdmin));
}

function positiveDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 36500) {
    throw usage(
      "USAGE.BAD_NUMBER",
      `--days must be a whole number from 1 to 36500, not '${value}'.`,
    );
  }
  return Number(value);
}

function describeFrom(c: AccountChange): string {
  return c.from.users === c.from.rbac
    ? c.from.users
    : `USERS ${c.from.users}, RBAC_USERS ${c.from.rbac}`;
}

function warnIfCannotLogIn(ctx: Ctx, u: DbUser): void {
  if (u.rbac?.status !== "1")
    ctx.out.warn(
      `${u.username} is not active (RBAC_USERS.USR_STATUS ${u.rbac?.status ?? "?"}); a due date alone does not let it log in.`,
    );
  for (const r of u.roles)
    if (r.status === 0)
      ctx.out.warn(
        `${u.username}'s role ${r.code ?? r.uid} is inactive; it cannot log in until the role is activated.`,
      );
}

async function expireAdmin(ctx: Ctx, cmd: Command): Promise<number> {
  const o = cmd.opts<{ user?: string }>();
  const ws = await oneWorkspace(ctx, oneWorkspaceName(cmd));
  return withRbacDb(ws, ctx.rt.env, async (db) => {
    const user = await loadUser(db, o.user ?? ADMIN_USER_UID);
    const now = ctx.rt.now();
    const change = planExpire(user, now);
    const outcome = await runPlan(ctx, db, change.statements);
    ctx.out.document({
      ok: true,
      workspace: ws.name,
      dryRun: ctx.opts.dryRun,
      user: user.username,
      uid: user.uid,
      from: change.from,
      to: change.to,
      changed: change.changes,
      ...(ctx.opts.dryRun ? { sql: outcome.sql } : {}),
    });
    if (!change.changes)
      ctx.out.line(`${user.username} (${ws.name}): already expired (due ${describeFrom(change)})`);
    else
      ctx.out.line(
        `${user.username} (${ws.name}): due date ${describeFrom(change)} → ${change.to}${ctx.opts.dryRun ? " (dry run)" : ""}`,
      );
    return 0;
  });
}

interface ExtendOptions {
  days?: string;
  until?: string;
  user?: string;
  rotatePassword?: boolean;
  passwordFile?: string;
  force?: boolean;
}

async function extendAdmin(ctx: Ctx, cmd: Command): Promise<number> {
  const o = cmd.opts<ExtendOptions>();
  if (o.passwordFile !== undefined && o.rotatePassword !== true) {
    throw usage(
      "ADMIN.PASSWORD_FILE_WITHOUT_ROTATE",
      "--password-file only makes sense with --rotate-password.",
      {
        hint: "Add --rotate-password, or drop --password-file.",
      },
    );
  }
  const days = positiveDays(o.days);
  const ws = await oneWorkspace(ctx, oneWorkspaceName(cmd));
  return withRbacDb(ws, ctx.rt.env, async (db) => {
    const user = await loadUser(db, o.user ?? ADMIN_USER_UID);
    const now = ctx.rt.now();
    const asked = extendedDueDate({ days, until: o.until, force: o.force === true }, now);
    // The 90-day default only ever extends: a later due date stays (naming a date that is
    // earlier, with --days or --until, needs --force).
    const implicit = days === undefined && o.until === undefined && o.force !== true;
    const due = implicit ? keepLater(asked, user) : asked;
    if (due !== asked)
      ctx.out.info(
        `${user.username}'s due date ${due} is later than the default (${asked}); it stays. Give --days or --until with --force to shorten it.`,
      );
    const rotation = o.rotatePassword === true ? await planRotation(ctx, db, user, now) : undefined;
    const change = planAccountChange(user, due, now, rotation?.hash);
    assertNotShortened(change, o.force === true);
    warnIfCannotLogIn(ctx, user);
    const file =
      o.passwordFile === undefined ? undefined : path.resolve(ctx.rt.cwd, o.passwordFile);
    const sql = await applyWithPasswordFile(
      ctx,
      db,
      [...change.statements, ...(rotation?.extra ?? [])],
      {
        file,
        password: rotation?.password,
      },
    );
    reportExtend(ctx, { ws: ws.name, user, change, due, rotation, file, sql });
    return 0;
  });
}

/** The later of `date` and the account's current due date (as RBAC_USERS holds it). */
function keepLater(date: string, user: DbUser): string {
  const current = user.rbac?.dueDate ?? user.wf?.dueDate ?? "";
  return current > date ? current : date;
}

/** A new password for --rotate-password: its hash and the password history rows to record. */
interface Rotation {
  password: string;
  algorithm: string;
  hash: string;
  history: "recorded" | "not kept";
  extra: Statement[];
}

async function planRotation(ctx: Ctx, db: Db, user: DbUser, now: Date): Promise<Rotation> {
  const algo = await workspaceAlgorithm(db);
  if (algo.note) ctx.out.verbose(algo.note);
  const password = generatePassword();
  const hash = hashPassword(algo.algorithm, password);
  if (await hasPasswordHistory(db)) {
    const extra = await planPasswordHistory(db, user.uid, hash, localSqlDateTime(now));
    return { password, algorithm: algo.algorithm, hash, history: "recorded", extra };
  }
  ctx.out.verbose(
    "this workspace has no USERS_PROPERTIES.USR_PASSWORD_HISTORY; no password history recorded",
  );
  return { password, algorithm: algo.algorithm, hash, history: "not kept", extra: [] };
}

/**
 * Runs the plan; a --password-file is staged first and committed only when the change went in
 * (discarded when it failed), so the file never holds a password the account does not have.
 */
async function applyWithPasswordFile(
  ctx: Ctx,
  db: Db,
  statements: Statement[],
  p: { file: string | undefined; password: string | undefined },
): Promise<string[]> {
  let staged: StagedFile | undefined;
  if (p.file !== undefined && p.password !== undefined && !ctx.opts.dryRun)
    staged = await stagePasswordFile(p.file, p.password);
  let sql: string[];
  try {
    sql = (await runPlan(ctx, db, statements)).sql;
  } catch (error) {
    await staged?.discard();
    throw error;
  }
  await staged?.commit();
  return sql;
}

function reportExtend(
  ctx: Ctx,
  r: {
    ws: string;
    user: DbUser;
    change: AccountChange;
    due: string;
    rotation: Rotation | undefined;
    file: string | undefined;
    sql: string[];
  },
): void {
  const { user, change, due, rotation, file } = r;
  const password = rotation?.password;
  const algorithm = rotation?.algorithm;
  const rotated = password !== undefined && !ctx.opts.dryRun;
  ctx.out.document({
    ok: true,
    workspace: r.ws,
    dryRun: ctx.opts.dryRun,
    user: user.username,
    uid: user.uid,
    from: change.from,
    to: due,
    changed: change.changes,
    passwordRotated: rotated,
    ...(algorithm === undefined ? {} : { algorithm, passwordHistory: rotation?.history }),
    // A cron job running with --json needs the password it just set; it is never on stderr or in logs.
    ...(rotated && file === undefined ? { password } : {}),
    ...(rotated && file !== undefined ? { passwordFile: file } : {}),
    ...(ctx.opts.dryRun ? { sql: r.sql } : {}),
  });
  const dry = ctx.opts.dryRun ? " (dry run)" : "";
  const same = change.from.users === due && change.from.rbac === due;
  ctx.out.line(
    same
      ? `${user.username} (${r.ws}): due date ${password === undefined ? "already" : "stays"} ${due}${dry}`
      : `${user.username} (${r.ws}): due date ${describeFrom(change)} → ${due}${dry}`,
  );
  if (rotated && file !== undefined)
    ctx.out.line(`new password (${algorithm ?? ""}) written to ${file} (mode 0600)`);
  else if (rotated) {
    ctx.out.line(`new password for ${user.username} (shown only now):`);
    ctx.out.essential(password ?? "");
  } else if (password !== undefined)
    ctx.out.line(`would set a new password (${algorithm ?? ""}) in USERS and RBAC_USERS`);
}
