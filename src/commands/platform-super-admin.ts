// `platform super-admin USER on|off [--force]` (issue 7).
import type { Command } from "commander";
import type { Ctx } from "../cli/context.js";
import { renderStatement } from "../db/statement.js";
import { applySuperAdmin, parseSwitch, planSuperAdmin } from "../pm4/super-admin.js";
import { installJson, withPm4 } from "./platform-session.js";

export async function superAdminCommand(ctx: Ctx, cmd: Command): Promise<void> {
  const [ref = "", value = ""] = cmd.args;
  const on = parseSwitch(value);
  const force = cmd.opts<{ force?: boolean }>().force === true;
  await withPm4(ctx, cmd, async (install, db) => {
    const plan = await planSuperAdmin(db, ref, on, force);
    const who = `'${plan.user.username}' (#${plan.user.id})`;
    const doc = {
      ok: true,
      install: installJson(install),
      user: { id: plan.user.id, username: plan.user.username },
      superAdmin: on,
      changed: plan.changes,
    };
    if (!plan.changes) {
      ctx.out.document(doc);
      ctx.out.line(
        `${who} is already ${on ? "a Super Admin" : "not a Super Admin"}; nothing to do.`,
      );
      return;
    }
    if (plan.forcedLastAdmin)
      ctx.out.warn(`${who} is the last active Super Admin; removing the flag anyway (--force).`);
    if (ctx.opts.dryRun) {
      ctx.out.document({
        ...doc,
        dryRun: true,
        changed: false,
        sql: [renderStatement(plan.statement)],
      });
      ctx.out.line("-- dry run: nothing was changed; this is the SQL pmadmin would run");
      ctx.out.line(renderStatement(plan.statement));
      return;
    }
    await applySuperAdmin(db, plan, force);
    ctx.out.document({ ...doc, dryRun: false });
    // is_administrator is read on every request and never cached (§2.1): nothing to invalidate.
    ctx.out.line(
      `${who} is ${on ? "now a Super Admin" : "no longer a Super Admin"} (takes effect on the next request).`,
    );
  });
}
