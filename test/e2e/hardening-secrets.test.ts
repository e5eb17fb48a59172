// Passwords never reach the output (cli-contract.md): every command that uses credentials, run
// as the built binary with --json -v and with -v alone, on success and on failure paths. The
// secrets are the workspace's database password (db.php), the admin account's password
// (HASH_INSTALLATION, --db-admin-url), the new database password a restore generates and the
// ProcessMaker 4 .env's DB_PASSWORD.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDbPhp } from "../../src/install/db-php.js";
import { runBin } from "../helpers/cli.js";
import { adminTarget } from "../helpers/db.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";
import { createPm4Fixture, type Pm4Fixture } from "../helpers/pm4.js";

let install: TestInstall;
let ws: TestInstall["workspaces"][number];
let pm4: Pm4Fixture;
const RESTORED = "sec_restored";

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 1, cases: 2 });
  ws = install.workspaces[0] as TestInstall["workspaces"][number];
  install.track(`wf_${RESTORED}`);
  pm4 = await createPm4Fixture();
});
afterAll(async () => {
  await install?.cleanup();
  await pm4?.cleanup();
});

function secrets(): string[] {
  const admin = adminTarget().password;
  // Also the URL-encoded form, in case a connection string slips through.
  return [ws.dbPassword, admin, encodeURIComponent(admin)];
}

function expectNoSecret(
  label: string,
  r: { stdout: string; stderr: string },
  extra: string[] = [],
) {
  for (const s of [...secrets(), ...extra]) {
    expect(r.stdout, `${label}: stdout`).not.toContain(s);
    expect(r.stderr, `${label}: stderr`).not.toContain(s);
  }
}

/** Runs with --json -v (stdout must be one JSON document) and with -v; returns the exit codes. */
async function both(
  args: string[],
  env: Record<string, string>,
  extra: string[] = [],
): Promise<number[]> {
  const codes: number[] = [];
  for (const flags of [["--json", "-v"], ["-v"]]) {
    const r = await runBin([...args, ...flags], { env });
    const label = [...args, ...flags].join(" ");
    expectNoSecret(label, r, extra);
    if (flags.includes("--json"))
      expect(() => JSON.parse(r.stdout) as unknown, label).not.toThrow();
    codes.push(r.exitCode);
  }
  return codes;
}

// Each case spawns the built binary a dozen times (text, --json, -v …): on a loaded 2-core machine
// the first case alone has taken over 120 s, so the cases get room; nothing is asserted on time.
describe("no password in any output", { timeout: 400_000 }, () => {
  it("workspace commands (success and findings)", async () => {
    const table: Array<[string[], number]> = [
      [["info"], 0],
      [["info", ws.name], 0],
      [["check-integrity", ws.name], 0],
      [["admin-status", ws.name], 0],
      [["role", "list"], 0],
      [["role", "show", "PROCESSMAKER_ADMIN"], 0],
      [
        [
          "role",
          "grant",
          "PROCESSMAKER_OPERATOR",
          "PM_SETUP_ADVANCE",
          "--with-required",
          "--dry-run",
        ],
        0,
      ],
      [["permission", "list"], 0],
      [["user", "show", "admin"], 0],
      [["expire-admin", ws.name, "--dry-run"], 0],
      [["extend-admin", ws.name, "--days", "30", "--force"], 0],
      [["extend-admin", ws.name, "--days", "60", "--dry-run", "--rotate-password"], 0],
      [["flush-cache", ws.name, "--dry-run"], 0],
      [["workspace-backup", ws.name, "secrets.tar.gz", "--dry-run"], 0],
      [["workspace-backup", ws.name, "secrets.tar.gz"], 0],
      [["workspace-restore", "-i", "secrets.tar.gz"], 0],
    ];
    for (const [args, exit] of table) {
      expect(await both(args, install.env()), args.join(" ")).toEqual([exit, exit]);
    }
  });

  it("workspace-restore under a new name: neither the admin's nor the new user's password", async () => {
    const env = install.env();
    const r = await runBin(["workspace-restore", "secrets.tar.gz", RESTORED, "--json", "-v"], {
      env,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const dbPhp = parseDbPhp(
      await readFile(path.join(install.sharedDir, "sites", RESTORED, "db.php"), "utf8"),
    );
    install.track(dbPhp.wf.name, dbPhp.wf.user);
    expect(dbPhp.wf.password.length).toBeGreaterThan(8);
    expectNoSecret("restore", r, [dbPhp.wf.password]);
    // The restored workspace in turn, with its generated password.
    expect(await both(["info", RESTORED], env, [dbPhp.wf.password])).toEqual([0, 0]);
    expect(await both(["workspace-backup", RESTORED, "r2.tar"], env, [dbPhp.wf.password])).toEqual([
      0, 0,
    ]);
  });

  it("failure paths: wrong admin password, wrong workspace password, refused restore", async () => {
    const env = install.env();
    const t = adminTarget();
    const wrong = "Wrong-Admin-Secret-93";
    const url = `mysql://${t.user}:${wrong}@${t.host}:${t.port ?? 3306}`;
    expect(
      await both(
        ["workspace-restore", "secrets.tar.gz", "sec_denied", "--db-admin-url", url],
        env,
        [wrong],
      ),
    ).toEqual([1, 1]);
    // The workspace's db.php holding a wrong password: the server's complaint, not the password.
    const dbPhpFile = path.join(ws.siteDir, "db.php");
    const original = await readFile(dbPhpFile, "utf8");
    const wrongWs = "Wrong-Ws-Secret-5521";
    await writeFile(dbPhpFile, original.replaceAll(ws.dbPassword, wrongWs));
    try {
      for (const args of [
        ["workspace-backup", ws.name, "denied.tar"],
        ["check-integrity", ws.name],
        ["role", "list", "-w", ws.name],
        ["extend-admin", ws.name, "--days", "3", "--rotate-password"],
      ]) {
        expect(await both(args, env, [wrongWs]), args.join(" ")).toEqual([1, 1]);
      }
    } finally {
      await writeFile(dbPhpFile, original);
    }
    // An existing workspace without -o is refused after the admin connection was made.
    expect(await both(["workspace-restore", "secrets.tar.gz", ws.name], env)).toEqual([3, 3]);
    // The admin's password given by URL on a successful -i (it is not needed, must not show).
    const good = `mysql://${t.user}:${encodeURIComponent(t.password)}@${t.host}:${t.port ?? 3306}`;
    expect(
      await both(["workspace-restore", "-i", "secrets.tar.gz", "--db-admin-url", good], env),
    ).toEqual([0, 0]);
  });

  it("ProcessMaker 4: the .env's DB_PASSWORD never shows", async () => {
    const env = pm4.env();
    const table: Array<[string[], number]> = [
      [["platform", "permission", "list"], 0],
      [["platform", "permission", "show", "--user", "admin"], 0],
      [["platform", "permission", "grant", "--user", "admin", "view-users", "--dry-run"], 0],
      [["platform", "super-admin", "nobody_here", "on"], 2],
    ];
    for (const [args, exit] of table) {
      expect(await both(args, env), args.join(" ")).toEqual([exit, exit]);
    }
  });
});
