// A throwaway ProcessMaker installation layout on the test server: paths_installed.php whose
// HASH_INSTALLATION carries the test server's admin credentials, a shared dir and workspaces
// provisioned from our fixtures. `cleanup()` drops every database and user it made.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { dropAccount } from "../../src/db/accounts.js";
import { connect } from "../../src/db/mysql.js";
import { ident } from "../../src/db/sql-text.js";
import type { DbTarget } from "../../src/db/types.js";
import { encodeHashInstallation } from "../../src/install/hash.js";
import {
  PATHS_INSTALLED_RELATIVE,
  renderPathsInstalled,
} from "../../src/install/paths-installed.js";
import { writeSharedTree } from "../../src/sandbox/layout.js";
import { provisionWorkspace, type ProvisionedWorkspace } from "../../src/sandbox/provision.js";
import { adminTarget, uniqueName } from "./db.js";

export interface TestInstall {
  root: string;
  installDir: string;
  sharedDir: string;
  workspaces: ProvisionedWorkspace[];
  /** Adds a workspace (name made unique unless given). */
  addWorkspace(opts?: {
    name?: string;
    cases?: number;
    docBytes?: number;
  }): Promise<ProvisionedWorkspace>;
  /** Registers a database/user created by the code under test so cleanup drops it too. */
  track(database: string, user?: string): void;
  env(): Record<string, string>;
  cleanup(): Promise<void>;
}

export const FIXED_NOW = new Date("2026-11-25T12:00:00Z");

export async function createTestInstall(
  opts: {
    workspaces?: number;
    cases?: number;
    /** Another server's admin account (a private server for hostile tests); default the run's. */
    admin?: DbTarget;
  } = {},
): Promise<TestInstall> {
  const root = await mkdtemp(path.join(tmpdir(), "pmadmin-install-"));
  const installDir = path.join(root, "processmaker");
  const sharedDir = path.join(installDir, "shared");
  const admin = opts.admin ?? adminTarget();
  await writeSharedTree(sharedDir);
  const systemHash = createHash("md5").update(randomBytes(16)).digest("hex");
  // A socket-only server's admin has no port: its installation says plain `localhost`, as PHP's would.
  const hostPort = admin.port === undefined ? admin.host : `${admin.host}:${admin.port}`;
  const configFile = path.join(installDir, PATHS_INSTALLED_RELATIVE);
  await mkdir(path.dirname(configFile), { recursive: true });
  await writeFile(
    configFile,
    renderPathsInstalled({
      pathData: `${sharedDir}/`,
      pathC: `${sharedDir}/compiled/`,
      hashInstallation: encodeHashInstallation(
        { host: hostPort, user: admin.user, password: admin.password },
        systemHash,
      ),
      systemHash,
    }),
  );
  const databases = new Set<string>();
  const users = new Set<string>();
  const workspaces: ProvisionedWorkspace[] = [];
  const install: TestInstall = {
    root,
    installDir,
    sharedDir,
    workspaces,
    async addWorkspace(o = {}) {
      const ws = await provisionWorkspace({
        admin,
        dbHostForDbPhp: hostPort,
        sharedDir,
        name: o.name ?? uniqueName("ws"),
        cases: o.cases ?? opts.cases ?? 20,
        now: FIXED_NOW,
        ...(o.docBytes === undefined ? {} : { docBytes: o.docBytes }),
      });
      databases.add(ws.database);
      users.add(ws.dbUser);
      workspaces.push(ws);
      return ws;
    },
    track(database, user) {
      databases.add(database);
      if (user) users.add(user);
    },
    env() {
      return { PM_INSTALL_DIR: installDir, NO_COLOR: "1" };
    },
    async cleanup() {
      const db = await connect(admin);
      try {
        for (const d of databases) await db.execute(`DROP DATABASE IF EXISTS ${ident(d)}`);
        for (const u of users) await dropAccount(db, u);
      } finally {
        await db.close();
      }
      await rm(root, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < (opts.workspaces ?? 1); i++) await install.addWorkspace();
  return install;
}
