// The database that holds a workspace's RBAC and USERS tables. ProcessMaker 3 keeps them all in
// wf_<ws>; a legacy 2.x layout (separate rb_/rp_ databases in db.php) is not something pmadmin
// changes users or roles in, because USERS and RBAC_USERS could not move in one transaction.
import type { Db } from "../db/types.js";
import { failure } from "../errors.js";
import type { Workspace } from "../install/installation.js";
import { withWorkspaceDb } from "../install/workspace-db.js";

export function withRbacDb<T>(
  ws: Workspace,
  env: Readonly<Record<string, string | undefined>>,
  fn: (db: Db) => Promise<T>,
): Promise<T> {
  if (ws.db.rbac.name !== ws.db.wf.name || ws.db.rbac.host !== ws.db.wf.host) {
    return Promise.reject(
      failure(
        "RBAC.SEPARATE_DATABASE",
        `Workspace ${ws.name} keeps RBAC in a separate database (${ws.db.rbac.name}), a ProcessMaker 2.x layout; pmadmin manages roles and users only in the single ProcessMaker 3 database.`,
        {
          hint: "Upgrade the workspace with ProcessMaker 3 (which merges the databases), then retry.",
        },
      ),
    );
  }
  return withWorkspaceDb(ws, env, fn);
}
