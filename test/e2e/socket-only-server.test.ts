// A database server with networking disabled (skip-networking, common hardening) and an
// installation whose db.php and HASH_INSTALLATION say plain `localhost`, as PHP installs do:
// PM_DB_SOCKET names the socket, and pmadmin's own connection and its mariadb/mariadb-dump
// children all reach that server through it. The run's other server (the harness's, on TCP)
// must not receive anything.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/db/mysql.js";
import type { DbTarget } from "../../src/db/types.js";
import { parseDbPhp } from "../../src/install/db-php.js";
import { runBin } from "../helpers/cli.js";
import { adminDb, uniqueName } from "../helpers/db.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { startExtraServer, type ExtraServer } from "../helpers/servers.js";

let server: ExtraServer;
let install: TestInstall;

beforeAll(async () => {
  server = await startExtraServer({ skipNetworking: true });
  install = await createTestInstall({ workspaces: 1, cases: 3, admin: server.admin });
});
afterAll(async () => {
  await install?.cleanup();
  await server?.stop();
});

async function databases(target: DbTarget | undefined): Promise<string[]> {
  const db = target ? await connect(target) : await adminDb();
  try {
    return (await db.query<{ Database: string }>("SHOW DATABASES")).map((r) => r.Database);
  } finally {
    await db.close();
  }
}

describe(
  "a socket-only server reached as `localhost` with PM_DB_SOCKET",
  { timeout: 300_000 },
  () => {
    it("the installation really says localhost and the server really has no TCP listener", async () => {
      const ws = install.workspaces[0]!;
      const dbPhp = parseDbPhp(await readFile(path.join(ws.siteDir, "db.php"), "utf8"));
      expect(dbPhp.wf.host).toBe("localhost");
      expect(dbPhp.wf.port).toBeUndefined();
      const db = await connect(server.admin);
      try {
        const rows = await db.query<{ v: string | number }>("SELECT @@skip_networking AS v");
        expect(Number(rows[0]?.v)).toBe(1);
      } finally {
        await db.close();
      }
    });

    it("workspace-backup, workspace-restore under a new name and info all exit 0, on that server only", async () => {
      const ws = install.workspaces[0]!;
      const env = { ...install.env(), PM_DB_SOCKET: server.state.socket };
      const file = path.join(install.root, `${ws.name}.tar`);
      const backup = await runBin(["workspace-backup", ws.name, file], { env });
      expect(backup.exitCode, backup.stderr).toBe(0);

      const target = uniqueName("sk");
      install.track(`wf_${target}`);
      const restore = await runBin(["workspace-restore", "--yes", file, target], { env });
      expect(restore.exitCode, restore.stderr).toBe(0);
      const restoredPhp = parseDbPhp(
        await readFile(path.join(install.sharedDir, "sites", target, "db.php"), "utf8"),
      );
      install.track(`wf_${target}`, restoredPhp.wf.user);
      expect(restoredPhp.wf.host).toBe("localhost");

      // Landed on the socket-only server, with its tables and rows; nothing on the TCP server.
      expect(await databases(server.admin)).toContain(`wf_${target}`);
      // (Only names unique to this test: other test files share the harness server.)
      const onHarness = (await databases(undefined)).filter((d) => d.startsWith(`wf_${target}`));
      expect(onHarness).toEqual([]);
      const db = await connect({ ...server.admin, database: `wf_${target}` });
      try {
        const rows = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM APPLICATION");
        expect(Number(rows[0]?.n)).toBe(3);
      } finally {
        await db.close();
      }

      const info = await runBin(["info", "--json", ws.name, target], { env });
      expect(info.exitCode, info.stderr).toBe(0);
      const doc = JSON.parse(info.stdout) as { workspaces: Array<{ name: string }> };
      expect(doc.workspaces.map((w) => w.name).sort()).toEqual([ws.name, target].sort());

      // Without PM_DB_SOCKET, `localhost` means a default socket path (or TCP 3306): not this
      // server. The backup must then fail loudly rather than dump another server's database.
      const { PM_DB_SOCKET: _omit, ...withoutSocket } = env;
      const astray = await runBin(
        ["workspace-backup", ws.name, path.join(install.root, "astray.tar")],
        {
          env: withoutSocket,
        },
      );
      expect(astray.exitCode, astray.stderr).toBe(1);
      expect(astray.stderr).toMatch(/pmadmin: error \[(DB\.[A-Z_]+|BACKUP\.[A-Z_]+)\]/);
    });
  },
);
