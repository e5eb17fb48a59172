// `platform permission show (--user U | --group G) [--effective]` (issue 7).
import type { Command } from "commander";
import type { Ctx } from "../cli/context.js";
import { effectivePermissions } from "../pm4/effective.js";
import { holderLabel, resolveHolder } from "../pm4/lookup.js";
import { groupEdges, groupNames, groupPermissions, heldRows, userGroupIds } from "../pm4/sql.js";
import { installJson, withPm4 } from "./platform-session.js";

export async function showCommand(ctx: Ctx, cmd: Command): Promise<void> {
  const o = cmd.opts<{ user?: string; group?: string; effective?: boolean }>();
  await withPm4(ctx, cmd, async (install, db) => {
    const holder = await resolveHolder(db, o);
    const label = holderLabel(holder);
    const head = {
      ok: true,
      install: installJson(install),
      holder: { kind: holder.kind, id: holder.id, name: holder.name },
    };
    const superAdmin = holder.user?.isAdministrator === true;
    if (superAdmin) ctx.out.line(`${label} is a Super Admin: every permission check passes.`);
    if (!o.effective) {
      const held = await heldRows(db, holder.type, holder.id);
      const direct = [...held].sort(([a], [b]) => a.localeCompare(b));
      ctx.out.document({
        ...head,
        superAdmin,
        direct: direct.map(([name, rows]) => ({ name, rows })),
      });
      ctx.out.line(`Direct permissions of ${label}:${direct.length === 0 ? " none" : ""}`);
      for (const [name, rows] of direct)
        ctx.out.line(`  ${name}${rows > 1 ? `  (${rows} duplicate rows)` : ""}`);
      return;
    }
    if (superAdmin) {
      ctx.out.document({ ...head, superAdmin: true, effective: "all" });
      ctx.out.line("Effective permissions: all");
      return;
    }
    const seedGroups = holder.kind === "user" ? await userGroupIds(db, holder.id) : [holder.id];
    const edges = await groupEdges(db);
    const names = await groupNames(db);
    const direct =
      holder.kind === "user" ? [...(await heldRows(db, holder.type, holder.id)).keys()] : [];
    // Load every group's names only for the groups the closure reaches (computed twice: cheap and pure).
    const reach = effectivePermissions({
      direct: [],
      seedGroups,
      edges,
      groupPermissions: new Map(),
      groupNames: names,
    }).groups;
    const result = effectivePermissions({
      direct,
      seedGroups,
      edges,
      groupPermissions: await groupPermissions(db, reach),
      groupNames: names,
      self: holder.kind === "group" ? holder.id : undefined,
    });
    const viaGroups = result.groups
      .filter((g) => g !== holder.id || holder.kind === "user")
      .map((g) => names.get(g) ?? `#${g}`);
    ctx.out.document({ ...head, superAdmin: false, groups: viaGroups, effective: result.entries });
    ctx.out.line(
      `Effective permissions of ${label}${viaGroups.length ? ` (groups: ${viaGroups.join(", ")})` : ""}:${result.entries.length === 0 ? " none" : ""}`,
    );
    for (const e of result.entries) ctx.out.line(`  ${e.name.padEnd(32)} ${e.sources.join("; ")}`);
  });
}
