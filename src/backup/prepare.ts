// Everything a backup can check before it writes: every workspace's databases reachable as the
// workspace user and their tables listed, the dump program found, facts about the host gathered.
import { findProgram } from "../exec/clients.js";
import { workspaceDatabases, type DbEndpoint } from "../install/db-php.js";
import type { Installation, Workspace } from "../install/installation.js";
import type { Runtime } from "../runtime.js";
import { dumpProgramVersion } from "./dump.js";
import { inspectDatabase, type DatabaseInventory } from "./inspect.js";
import { gatherHostFacts, type HostFacts } from "./meta-values.js";

export interface PreparedDatabase {
  role: "wf" | "rp" | "rb";
  endpoint: DbEndpoint;
  inventory: DatabaseInventory;
}

export interface PreparedWorkspace {
  ws: Workspace;
  databases: PreparedDatabase[];
}

export interface Prepared {
  workspaces: PreparedWorkspace[];
  dumpProgram: string;
  dumpVersion: string;
  facts: HostFacts;
}

/** Everything that can be checked without writing: databases reachable, tables listed, programs found. */
export async function prepareBackup(
  workspaces: Workspace[],
  deps: { rt: Runtime; inst: Installation },
): Promise<Prepared> {
  // The host facts and the dump program's version (child processes: php alone takes a few tenths
  // of a second to start) are gathered while the databases are inspected.
  const probes = (async () => {
    const dumpProgram = await findProgram("dump", deps.rt.env);
    const [dumpVersion, facts] = await Promise.all([
      dumpProgramVersion(dumpProgram),
      gatherHostFacts({
        installDir: deps.inst.installDir,
        platform: deps.rt.platform,
        env: deps.rt.env,
      }),
    ]);
    return { dumpProgram, dumpVersion, facts };
  })();
  probes.catch(() => undefined); // awaited below; a failed inspection must not leave it unhandled
  const prepared: PreparedWorkspace[] = [];
  for (const ws of workspaces) {
    const databases: PreparedDatabase[] = [];
    for (const d of workspaceDatabases(ws.db)) {
      databases.push({
        role: d.role,
        endpoint: d.endpoint,
        inventory: await inspectDatabase(d.endpoint, deps.rt.env),
      });
    }
    prepared.push({ ws, databases });
  }
  return { workspaces: prepared, ...(await probes) };
}
