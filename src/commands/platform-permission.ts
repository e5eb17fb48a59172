// `platform permission list|grant|revoke` for ProcessMaker 4 (issue 7).
import type { Command } from "commander";
import type { Ctx } from "../cli/context.js";
import { usage } from "../errors.js";
import {
  applyStatements,
  renderStatement,
  renderTransaction,
  type Statement,
} from "../db/statement.js";
import { planGrant, planRevoke } from "../pm4/change.js";
import type { Db } from "../db/types.js";
import type { Pm4Install } from "../pm4/install.js";
import { holderLabel, resolveHolder, resolvePermissions, type Holder } from "../pm4/lookup.js";
import { heldRows, loadPermissions } from "../pm4/sql.js";
import { didYouMean } from "../ui/suggest.js";
import { columns, installJson, invalidateUserCache, withPm4 } from "./platform-session.js";

interface HolderOpts {
  user?: string;
  group?: string;
  withRequired?: boolean;
  category?: string;
}

export async function listCommand(ctx: Ctx, cmd: Command): Promise<void> {
  const { category } = cmd.opts<HolderOpts>();
  await withPm4(ctx, cmd, async (install, db) => {
    let perms = await loadPermissions(db);
    if (category !== undefined) {
      const cats = [...new Set(perms.map((p) => p.category ?? ""))];
      const match = cats.find((c) => c.toLowerCase() === category.toLowerCase());
      if (match === undefined) {
        throw usage(
          "PM4.UNKNOWN_CATEGORY",
          `No permission category '${category}'.${didYouMean(category, cats)}`,
          {
            hint: `Categories: ${cats.filter(Boolean).sort().join(", ")}`,
          },
        );
      }
      perms = perms.filter((p) => (p.category ?? "") === match);
    }
    ctx.out.document({ ok: true, install: installJson(install), permissions: perms });
    const rows = perms.map((p) => [
      p.name,
      p.title,
      p.category ?? "-",
      String(p.users),
      String(p.groups),
    ]);
    for (const line of columns([["NAME", "TITLE", "CATEGORY", "USERS", "GROUPS"], ...rows]))
      ctx.out.line(line);
  });
}

function printDryRun(
  ctx: Ctx,
  statements: readonly Statement[],
  cacheNote: string | undefined,
): void {
  ctx.out.line("-- dry run: nothing was changed; this is the SQL pmadmin would run");
  if (statements.length === 0) ctx.out.line("-- (no rows to change)");
  else for (const line of renderTransaction(statements)) ctx.out.line(line);
  if (cacheNote) ctx.out.line(`-- then: ${cacheNote}`);
}

/**
 * The common end of grant and revoke: print the SQL on --dry-run, or apply it in one transaction
 * and clear a user's cached permissions. Returns false on --dry-run (nothing else to print).
 */
async function applyOrShow(
  ctx: Ctx,
  install: Pm4Install,
  db: Db,
  holder: Holder,
  statements: readonly Statement[],
  base: Record<string, unknown>,
): Promise<boolean> {
  const cacheNote =
    holder.kind === "user"
      ? `clear the cached permissions user_${holder.id}_permissions`
      : undefined;
  if (ctx.opts.dryRun) {
    ctx.out.document({ ok: true, dryRun: true, ...base, sql: statements.map(renderStatement) });
    printDryRun(ctx, statements, cacheNote);
    return false;
  }
  const counts = await applyStatements(db, statements);
  const changed = counts.some((n) => n > 0);
  const cache =
    holder.kind === "user"
      ? await invalidateUserCache(ctx, install, holder.id, changed)
      : undefined;
  ctx.out.document({ ok: true, dryRun: false, ...base, ...(cache ? { cache } : {}) });
  return true;
}

export async function grantCommand(ctx: Ctx, cmd: Command): Promise<void> {
  const o = cmd.opts<HolderOpts>();
  await withPm4(ctx, cmd, async (install, db) => {
    const holder = await resolveHolder(db, o);
    const all = await loadPermissions(db);
    const requested = resolvePermissions(cmd.args, all);
    const plan = planGrant(
      holder,
      requested,
      await heldRows(db, holder.type, holder.id),
      all,
      o.withRequired === true,
    );
    const base = {
      install: installJson(install),
      holder: { kind: holder.kind, id: holder.id, name: holder.name },
      granted: plan.add.map((p) => p.name),
      alreadyHeld: plan.alreadyHeld,
      addedRequired: plan.required,
    };
    if (!(await applyOrShow(ctx, install, db, holder, plan.statements, base))) return;
    const label = holderLabel(holder);
    for (const r of plan.required)
      ctx.out.line(`Adding ${r.name}: required by ${r.neededBy.join(", ")}.`);
    if (plan.add.length > 0)
      ctx.out.line(`Granted to ${label}: ${plan.add.map((p) => p.name).join(", ")}`);
    if (plan.alreadyHeld.length > 0)
      ctx.out.line(`Already held by ${label}: ${plan.alreadyHeld.join(", ")}`);
  });
}

export async function revokeCommand(ctx: Ctx, cmd: Command): Promise<void> {
  const o = cmd.opts<HolderOpts>();
  await withPm4(ctx, cmd, async (install, db) => {
    const holder = await resolveHolder(db, o);
    const all = await loadPermissions(db);
    const requested = resolvePermissions(cmd.args, all);
    const plan = planRevoke(holder, requested, await heldRows(db, holder.type, holder.id), all);
    const base = {
      install: installJson(install),
      holder: { kind: holder.kind, id: holder.id, name: holder.name },
      revoked: plan.remove,
      notHeld: plan.notHeld,
      stillNeeding: plan.orphaned,
    };
    if (!(await applyOrShow(ctx, install, db, holder, plan.statements, base))) return;
    const label = holderLabel(holder);
    if (plan.remove.length > 0) {
      const dup = plan.remove.filter((r) => r.rows > 1).map((r) => `${r.name} ×${r.rows}`);
      ctx.out.line(
        `Revoked from ${label}: ${plan.remove.map((r) => r.name).join(", ")}${dup.length ? ` (duplicate rows removed: ${dup.join(", ")})` : ""}`,
      );
    }
    if (plan.notHeld.length > 0) ctx.out.line(`Not held by ${label}: ${plan.notHeld.join(", ")}`);
    for (const r of plan.orphaned)
      ctx.out.warn(
        `${label} still holds ${r.name}, which needs ${r.needs.join(", ")}; revoke it too if that was the intent.`,
      );
  });
}
