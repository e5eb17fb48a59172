// A workspace whose database server is down (db.php points at a closed port), and a restore whose
// --db-admin-url points at one: every command fails promptly with exit 1, names host:port, shows
// no stack trace and no password, and leaves nothing behind.
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/db/server.js";
import { renderDbPhp } from "../../src/install/db-php.js";
import { runBin } from "../helpers/cli.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

const DOWN = "down_ws";
const DOWN_PASSWORD = "Down-Secret-7f3a9c";
const ADMIN_PASSWORD = "Admin-Secret-41be07";

let install: TestInstall;
let port: number;
let backups: string;

const listing = async (dir: string): Promise<string[]> =>
  (await readdir(dir).catch(() => [] as string[])).sort();

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 1, cases: 3 });
  backups = path.join(install.sharedDir, "backups");
  port = await freePort();
  const siteDir = path.join(install.sharedDir, "sites", DOWN);
  await mkdir(path.join(siteDir, "files"), { recursive: true });
  await writeFile(
    path.join(siteDir, "db.php"),
    renderDbPhp({
      host: `127.0.0.1:${port}`,
      name: `wf_${DOWN}`,
      user: "wf_downuser",
      password: DOWN_PASSWORD,
    }),
  );
});
afterAll(async () => {
  await install?.cleanup();
});

function expectCleanFailure(
  r: { exitCode: number; stdout: string; stderr: string },
  ms: number,
): void {
  expect(r.exitCode, r.stderr).toBe(1);
  expect(ms).toBeLessThan(8_000);
  expect(r.stderr).toContain(`127.0.0.1:${port}`);
  expect(r.stderr).toMatch(/Cannot connect to the database server .*ECONNREFUSED/);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(r.stderr).not.toContain("INTERNAL");
  for (const secret of [DOWN_PASSWORD, ADMIN_PASSWORD]) {
    expect(r.stdout + r.stderr).not.toContain(secret);
  }
}

describe("a workspace whose database server is unreachable", () => {
  // Commands over several workspaces report each one (the others are still reported) and exit 1;
  // commands on one workspace fail with the DB.CONNECT error.
  const commands: Array<[string, string[], "report" | "error"]> = [
    ["info", ["info", DOWN], "report"],
    ["workspace-backup", ["workspace-backup", DOWN, "down.tar.gz"], "error"],
    ["check-integrity", ["check-integrity", DOWN], "report"],
    ["role list", ["role", "list", "-w", DOWN], "error"],
    ["admin-status", ["admin-status", DOWN], "report"],
    ["extend-admin", ["extend-admin", DOWN, "--days", "5"], "error"],
  ];
  for (const [name, args, shape] of commands) {
    it(`${name} exits 1 at once naming host:port, without stack or password`, async () => {
      const before = await listing(backups);
      for (const json of [false, true]) {
        const t0 = Date.now();
        const r = await runBin(json ? [...args, "--json", "-v"] : args, { env: install.env() });
        expectCleanFailure(r, Date.now() - t0);
        if (json) {
          const doc = JSON.parse(r.stdout) as { ok: boolean; error?: { code: string } };
          expect(doc.ok).toBe(false);
          if (shape === "error") expect(doc.error?.code).toBe("DB.CONNECT");
        } else if (shape === "error") {
          expect(r.stderr).toContain("[DB.CONNECT]");
        }
      }
      // A failed backup leaves neither a file nor a temporary behind.
      expect(await listing(backups)).toEqual(before);
    });
  }
});

describe("workspace-restore with --db-admin-url at a closed port", () => {
  it("exits 1 naming host:port and changes nothing", async () => {
    const ws = install.workspaces[0]!;
    const made = await runBin(["workspace-backup", ws.name, "src.tar"], { env: install.env() });
    expect(made.exitCode, made.stderr).toBe(0);
    const sites = await listing(path.join(install.sharedDir, "sites"));
    const files = await listing(backups);
    const t0 = Date.now();
    const r = await runBin(
      [
        "workspace-restore",
        "src.tar",
        "restored_here",
        "--db-admin-url",
        `mysql://root:${ADMIN_PASSWORD}@127.0.0.1:${port}`,
      ],
      { env: install.env() },
    );
    expectCleanFailure(r, Date.now() - t0);
    expect(await listing(path.join(install.sharedDir, "sites"))).toEqual(sites);
    expect(await listing(backups)).toEqual(files);
  });
});
