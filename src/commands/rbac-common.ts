// Shared by the role, permission and user commands: open the chosen workspace's database and load
// its RBAC data.
import type { Command } from "commander";
import type { Ctx } from "../cli/context.js";
import { oneWorkspace } from "../cli/workspace-option.js";
import type { Db } from "../db/types.js";
import type { Workspace } from "../install/installation.js";
import { withRbacDb } from "../rbac/workspace-db.js";
import { SYSTEMS } from "../rbac/permission-catalog.js";
import { loadRbac, type RbacState } from "../rbac/state.js";

export interface RbacSession {
  ws: Workspace;
  db: Db;
  state: RbacState;
}

export async function withRbac<T>(
  ctx: Ctx,
  cmd: Command,
  fn: (s: RbacSession) => T | Promise<T>,
): Promise<T> {
  // -w may stand before the subcommand too (`role -w WS list`): take it from either level.
  const ws = await oneWorkspace(ctx, cmd.optsWithGlobals<{ workspace?: string }>().workspace);
  return withRbacDb(ws, ctx.rt.env, async (db) => fn({ ws, db, state: await loadRbac(db) }));
}

export function systemCode(uid: string): string {
  return SYSTEMS.find((s) => s.uid === uid)?.code ?? uid;
}

export const statusWord = (status: number): string => (status === 1 ? "active" : "inactive");
