// A second, private server for tests that need a different configuration, such as
// lower_case_table_names=1 standing in for a Windows host.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { destroyServer, rootTarget, startServer, type ServerState } from "../../src/db/server.js";
import type { DbTarget } from "../../src/db/types.js";

export interface ExtraServer {
  state: ServerState;
  /** root over TCP, or over the socket for a skipNetworking server. */
  admin: DbTarget;
  /** --db-admin-url form; for a skipNetworking server the host is `localhost` (the socket). */
  url: string;
  stop(): Promise<void>;
}

export async function startExtraServer(
  opts: { lowerCaseTableNames?: 0 | 1; skipNetworking?: boolean } = {},
): Promise<ExtraServer> {
  const baseDir = await mkdtemp(path.join(tmpdir(), "pmadmin-extradb-"));
  const state = await startServer({
    baseDir,
    ...(opts.lowerCaseTableNames === undefined
      ? {}
      : { lowerCaseTableNames: opts.lowerCaseTableNames }),
    ...(opts.skipNetworking ? { skipNetworking: true } : {}),
  });
  const hostPort = state.skipNetworking ? "localhost" : `127.0.0.1:${state.port}`;
  return {
    state,
    admin: rootTarget(state),
    url: `mysql://root:${encodeURIComponent(state.rootPassword)}@${hostPort}`,
    stop: () => destroyServer(baseDir),
  };
}
