// `backups verify --restore-test --sandbox DIR`: a sandbox's backup (encrypted) loads into a
// throw-away database on the sandbox's private server, passes the storage and reference checks,
// and leaves no database or account behind; a dump whose SQL fails to load is exit 1.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/db/mysql.js";
import { runBin } from "../helpers/cli.js";

let root: string;
let dir: string;
let env: Record<string, string>;
let port: number;
let rootPassword: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "pmadmin-vt-"));
  dir = path.join(root, "sb");
  const up = await runBin(
    ["sandbox", "up", dir, "--workspace", "vt_ws", "--cases", "3", "--json"],
    {
      timeoutMs: 300_000,
    },
  );
  expect(up.exitCode, up.stderr).toBe(0);
  port = (JSON.parse(up.stdout) as { port: number }).port;
  rootPassword = (
    JSON.parse(await readFile(path.join(dir, ".mariadb/server.json"), "utf8")) as {
      rootPassword: string;
    }
  ).rootPassword;
  env = { PM_INSTALL_DIR: dir };
}, 300_000);
afterAll(async () => {
  await runBin(["sandbox", "down", dir, "--purge"]);
  await rm(root, { recursive: true, force: true });
});

async function leftovers(): Promise<{ dbs: string[]; users: string[] }> {
  const db = await connect({ host: "127.0.0.1", port, user: "root", password: rootPassword });
  try {
    const dbs = await db.query<{ d: string }>(
      "SELECT SCHEMA_NAME AS d FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'pmadmin\\_vt\\_%'",
    );
    const users = await db.query<{ u: string }>(
      "SELECT User AS u FROM mysql.user WHERE User LIKE 'pmadmin\\_ld\\_%'",
    );
    return { dbs: dbs.map((r) => r.d), users: users.map((r) => r.u) };
  } finally {
    await db.close();
  }
}

describe("backups verify --restore-test", () => {
  it("loads the sandbox backup into a throw-away database, checks it, drops it", async () => {
    const key = path.join(root, "key.txt");
    execFileSync("age-keygen", ["-o", key], { stdio: "pipe" });
    const recipient = execFileSync("age-keygen", ["-y", key]).toString().trim();
    const file = path.join(root, "vt.tar.gz");
    const b = await runBin(["workspace-backup", "--encrypt-to", recipient, "vt_ws", file], { env });
    expect(b.exitCode, b.stderr).toBe(0);
    const r = await runBin(
      [
        "--json",
        "backups",
        "verify",
        "--identity",
        key,
        "--restore-test",
        "--sandbox",
        dir,
        `${file}.age`,
      ],
      { env: {}, timeoutMs: 300_000 },
    );
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      restoreTest: {
        ok: boolean;
        databases: Array<{
          loaded: boolean;
          checks: Array<{ area: string; status: string; severity: string }>;
        }>;
      };
    };
    expect(doc.ok).toBe(true);
    expect(doc.restoreTest.ok).toBe(true);
    const d = doc.restoreTest.databases[0]!;
    expect(d.loaded).toBe(true);
    expect(new Set(d.checks.map((c) => c.area))).toEqual(new Set(["storage", "references"]));
    // Errors none; warnings (the sandbox holds only some stock tables) are the data's own.
    expect(d.checks.filter((c) => c.severity === "error" && c.status !== "ok")).toEqual([]);
    expect(d.checks.filter((c) => c.status === "ok").length).toBeGreaterThan(5);
    expect(await leftovers()).toEqual({ dbs: [], users: [] });
    const text = await runBin(
      ["backups", "verify", "--identity", key, "--restore-test", "--sandbox", dir, `${file}.age`],
      { env: {}, timeoutMs: 300_000 },
    );
    expect(text.stdout).toContain("Restore test passed");
  });

  it("a dump that does not load: exit 1, nothing left behind", async () => {
    const file = path.join(root, "plain.tar");
    const b = await runBin(["workspace-backup", "vt_ws", file], { env });
    expect(b.exitCode, b.stderr).toBe(0);
    const x = path.join(root, "x");
    await mkdir(x);
    execFileSync("tar", ["xf", file, "-C", x]);
    const sqlName = execFileSync("sh", ["-c", `ls "${x}" | grep '\\.sql$'`])
      .toString()
      .trim();
    const sql = await readFile(path.join(x, sqlName), "utf8");
    await writeFile(
      path.join(x, sqlName),
      sql.replace(
        "DROP TABLE IF EXISTS",
        "INSERT INTO no_such_table VALUES (1);\nDROP TABLE IF EXISTS",
      ),
    );
    const bad = path.join(root, "bad.tar");
    execFileSync("tar", ["cf", bad, "-C", x, "vt_ws.meta", sqlName, "vt_ws.files"]);
    const r = await runBin(["backups", "verify", "--restore-test", "--sandbox", dir, bad], {
      env: {},
      timeoutMs: 300_000,
    });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toContain("did not load");
    expect(r.stdout).toContain("Restore test FAILED");
    expect(await leftovers()).toEqual({ dbs: [], users: [] });
  });

  it("--sandbox without --restore-test is a usage error", async () => {
    const r = await runBin(["backups", "verify", "--sandbox", dir, path.join(root, "plain.tar")], {
      env,
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("--restore-test");
  });
});
